// Chain replication: nodes that come back (a choice of this model, §3 of
// van Renesse and Schneider leaves it open): a node rejoins at its place in
// placement order, catching up from a live neighbour (its predecessor, or its
// successor when it comes back as the head) and holding the requests its
// place brings it until it has; and crashes and recoveries on a ring of
// chains under a client with retries.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "support/chain_fault_rig.hpp"

namespace replisim {
namespace chain_rejoin_test {

using namespace test;  // the chain fixture, the fault rig and the fake network's matchers

// --- coming back ---------------------------------------------------------------------------------

TEST(ChainRejoinTest, AMiddleNodeThatComesBackCatchesUpFromItsPredecessorAndRejoins)
{
  Chains c(one_chain());
  c.write_at_head(1, 7);
  c.net.deliver_all();
  c.faults.crash(1);
  for (OpId op = 2; op <= 4; ++op)
    c.write_at_head(op, 7);
  c.net.deliver_all();
  EXPECT_EQ(c.node(1).applied_seq(0), 1u);
  c.faults.recover(1);
  EXPECT_TRUE(c.node(1).catching_up(0));
  c.write_at_head(5, 7);  // goes to node 1, which holds it until it has caught up
  ASSERT_TRUE(c.net.deliver_first(is<ChainForward>(Address::node(1))));
  EXPECT_EQ(c.node(1).applied_seq(0), 1u);
  c.net.deliver_all();
  EXPECT_FALSE(c.node(1).catching_up(0));
  EXPECT_EQ(c.net.received<ChainJoin>(Address::node(0)).size(), 1u);
  EXPECT_EQ(c.net.received<ChainJoin>(Address::node(0))[0].have, 1u);
  ASSERT_EQ(c.net.received<ChainCatchUp>(Address::node(1)).size(), 1u);
  EXPECT_EQ(c.net.received<ChainCatchUp>(Address::node(1))[0].updates.size(), 4u);  // writes 2 to 5
  EXPECT_EQ(c.write_replies().size(), 5u);
  EXPECT_EQ(c.write_replies().back().acks, 3);
  expect_converged(c);
  EXPECT_EQ(c.node(1).epoch_of(0), 3u);
  EXPECT_EQ(c.node(0).epoch_of(0), 3u);
}

TEST(ChainRejoinTest, AHeadThatComesBackDropsWhatItNeverForwardedCatchesUpAndLeadsAgain)
{
  Chains c(one_chain());
  c.write_at_head(1, 7);
  c.net.deliver_all();
  c.write_at_head(2, 7);  // only node 0 has it: never acknowledged
  c.net.drop([](const Envelope& e) {
    return std::holds_alternative<ChainForward>(e.message) && std::get<ChainForward>(e.message).op == 2;
  });
  c.net.advance_to(1.0);
  c.faults.crash(0);
  c.write_at_head(3, 8);  // node 1 leads: seq 2 is now key 8's write
  c.net.deliver_all();
  c.events(0);
  c.events(1);
  c.net.advance_to(2.0);
  c.faults.recover(0);
  EXPECT_TRUE(c.node(0).catching_up(0));
  const auto stopped = c.events(1);
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0].kind, RoleEvent::Kind::stopped_leading);
  EXPECT_EQ(stopped[0].term, 2u);
  EXPECT_TRUE(c.events(0).empty());  // not the head until caught up

  c.write(4, 7, 0);  // held by node 0 until it has caught up
  c.write(5, 7, 1);  // refused by node 1, naming node 0
  c.net.deliver_all();
  EXPECT_FALSE(c.node(0).catching_up(0));
  const auto led = c.events(0);
  ASSERT_EQ(led.size(), 1u);
  EXPECT_EQ(led[0].kind, RoleEvent::Kind::became_leader);
  EXPECT_EQ(led[0].term, 3u);
  EXPECT_EQ(c.log(0), (std::vector<std::pair<Key, Version>>{{7, 1}, {8, 1}, {7, 2}}));
  const auto replies = c.write_replies();
  ASSERT_EQ(replies.size(), 4u);  // writes 1 and 3, then 5 and 4
  EXPECT_EQ(replies[2].op, 5u);
  EXPECT_FALSE(replies[2].ok);
  EXPECT_EQ(replies[2].leader, 0);
  EXPECT_EQ(replies[3].op, 4u);
  EXPECT_TRUE(replies[3].ok);
  EXPECT_EQ(replies[3].version, 2u);  // write 2's version went with it
  EXPECT_EQ(replies[3].acks, 3);
  expect_converged(c);
  expect_no_acknowledged_write_lost(c);
}

TEST(ChainRejoinTest, ATailThatComesBackHoldsReadsUntilItHasCaughtUp)
{
  Chains c(one_chain());
  c.write_at_head(1, 7);
  c.net.deliver_all();
  c.faults.crash(2);
  c.write_at_head(2, 7);
  c.write_at_head(3, 7);
  c.net.deliver_all();
  c.faults.recover(2);
  EXPECT_EQ(c.node(0).tail_of(0), 2);
  c.read(4, 7, 2);
  ASSERT_TRUE(c.net.deliver_first(is<ClientRead>(Address::node(2))));
  EXPECT_TRUE(c.read_replies().empty());  // held: node 2 still holds only version 1
  c.write_at_head(5, 7);  // committed by node 2 once caught up
  c.net.deliver_all();
  ASSERT_EQ(c.read_replies().size(), 1u);
  EXPECT_GE(c.read_replies()[0].version, 3u);
  EXPECT_EQ(c.write_replies().size(), 4u);
  EXPECT_EQ(c.write_replies().back().op, 5u);
  EXPECT_EQ(c.write_replies().back().acks, 3);
  expect_converged(c);
}

TEST(ChainRejoinTest, ANodeAloneInItsChainCommitsWhatItHolds)
{
  Chains c(Placement(2, {{0, 1}}));
  c.write_at_head(1, 7);
  c.net.drop(is_any<ChainForward>());
  c.faults.crash(1);
  c.faults.crash(0);
  c.faults.recover(0);
  EXPECT_FALSE(c.node(0).catching_up(0));
  EXPECT_EQ(c.node(0).committed_seq(0), 1u);
  c.read(2, 7, 0);
  c.net.deliver_all();
  ASSERT_EQ(c.read_replies().size(), 1u);
  EXPECT_EQ(c.read_replies()[0].version, 1u);
}

// --- many failures, a client with retries, every unit at once ----------------------------------

// Five chains of three on a ring of five nodes: every node is the head of
// one chain, the middle of one and the tail of one, so each crash is a head,
// a middle and a tail failure at once. A client with retries writes and
// reads through the router while nodes crash and come back.
TEST(ChainRejoinTest, CrashesAndRecoveriesOnARingLoseNoAcknowledgedWriteAndNoReadIsStale)
{
  std::vector<std::vector<NodeId>> chains;
  for (int u = 0; u < 5; ++u)
    chains.push_back({u, (u + 1) % 5, (u + 2) % 5});
  for (ChainReads reads : {ChainReads::tail, ChainReads::craq}) {
    SCOPED_TRACE(to_string(reads));
    Chains c(Placement(5, chains), reads);
    const ChainRouter router(c.placement, reads, &c.membership);
    ClientConfig config;
    config.ops = 1000;
    config.rate = 200;  // open loop: five seconds of operations, across the crashes
    config.seed = 11;
    config.timeout = 0.5;
    config.retries = 4;
    config.retry_backoff = 0.05;
    ClientMachine client(config, c.placement, router, Workload(KeyChooser(KeyDistribution::uniform, 12), 0.4));
    c.net.add(kClient, client);
    c.net.start_all();  // the client starts (the nodes again: start has no messages)

    // Every 0.2 s a node crashes or one that is down comes back, never more
    // than two down at once (every chain keeps a live replica); at the end
    // everyone is back.
    Rng faults(7);
    std::vector<std::tuple<Time, NodeId, bool>> schedule;  // (time, node, crash?)
    std::vector<NodeId> down;
    for (Time t = 0.2; t < 4.5; t += 0.2) {
      if (down.size() < 2 && (down.empty() || faults.below(2) == 0)) {
        NodeId n;
        do
          n = static_cast<NodeId>(faults.below(5));
        while (std::find(down.begin(), down.end(), n) != down.end());
        down.push_back(n);
        schedule.emplace_back(t, n, true);
      } else {
        const auto i = faults.below(down.size());
        schedule.emplace_back(t, down[i], false);
        down.erase(down.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
    for (NodeId n : down)
      schedule.emplace_back(4.6, n, false);
    std::size_t next = 0;
    std::map<Key, std::pair<Version, Time>> acked;  // newest acknowledged version per key, and when
    std::vector<Completion> done;
    int checked_reads = 0;
    Rng shuffle(99);
    for (Time t = 0; !client.done() && t < 60; t += 0.01) {
      while (next < schedule.size() && std::get<0>(schedule[next]) <= t) {
        const auto [when, n, crash] = schedule[next++];
        if (crash)
          c.faults.crash(n);
        else
          c.faults.recover(n);
      }
      // A few deliveries per step, in random order: messages linger in
      // flight (and are lost with the node they go to when it crashes), and
      // delays reorder them.
      for (auto n = shuffle.below(22); n > 0 && !c.net.in_flight().empty(); --n) {
        c.net.reorder(shuffle.next());
        c.net.deliver_one();
        c.net.advance_to(c.net.now() + 1e-6);  // each delivery at its own instant: reads and acks are ordered
        expect_chain_invariants(c);
        for (const Completion& op : client.take_completed()) {
          if (op.kind == OpKind::write && op.outcome == Outcome::ok) {
            auto& [version, when] = acked[op.key];
            if (op.version > version) {
              version = op.version;
              when = op.end;
            }
          }
          if (op.kind == OpKind::read && op.outcome == Outcome::ok) {
            const auto it = acked.find(op.key);
            if (it != acked.end() && it->second.second < op.start) {
              ++checked_reads;
              EXPECT_GE(op.version, it->second.first) << "stale read of key " << op.key << " at " << op.start;
            }
          }
          done.push_back(op);
        }
        if (testing::Test::HasFailure())
          return;
      }
      c.net.advance_to(t);
    }
    ASSERT_TRUE(client.done());
    c.net.advance_to(100);
    c.net.deliver_all();
    expect_converged(c);
    expect_no_acknowledged_write_lost(c);
    int retried = 0, ok = 0;
    for (const Completion& op : done) {
      retried += op.attempts > 1 ? 1 : 0;
      ok += op.outcome == Outcome::ok ? 1 : 0;
    }
    EXPECT_GT(retried, 0);    // the failures were felt...
    EXPECT_GT(ok, 900);       // ...and retries got most operations through
    EXPECT_GT(checked_reads, 200);
  }
}

}  // namespace chain_rejoin_test
}  // namespace replisim
