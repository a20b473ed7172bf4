// Chain replication under failures (van Renesse and Schneider, §3), with the
// membership oracle as the paper's master: head, tail and middle failures
// each lose no acknowledged write, every live replica converges, reads at the
// new tail are never stale; the head is reported with the unit's
// configuration epoch; the router follows the membership. Nodes coming back
// are in chain_rejoin_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/chain_fault_rig.hpp"

namespace replisim {
namespace chain_fault_test {

using namespace test;  // the chain fixture, the fault rig and the fake network's matchers

// A node catching up asks upstream (kind ack, like an acknowledgement) and
// gets updates back (kind write, one value each); neither is on a write's path.
TEST(ChainFaultTest, RepairMessagesHaveTheKindsOfTheirLegsAndBelongToNoWrite)
{
  const Message join = ChainJoin{0, 4, 2};
  const Message catch_up = ChainCatchUp{0, 2, 4, 5, {ChainForward{0, 5, 7, 3, kClient, 9}, ChainForward{0, 6, 8, 1, kClient, 10}}};
  EXPECT_EQ(kind_of(join), MessageKind::ack);
  EXPECT_EQ(kind_of(catch_up), MessageKind::write);
  EXPECT_FALSE(is_write_path(join));
  EXPECT_FALSE(is_write_path(catch_up));
  EXPECT_EQ(values_in(join), 0u);
  EXPECT_EQ(values_in(catch_up), 2u);
}

// --- no failures: nothing changes ----------------------------------------------------

TEST(ChainFaultTest, AMembershipChangeOutsideAChainChangesNothingInIt)
{
  Chains c(Placement(4, {{0, 1, 2}}));
  c.write_at_head(1, 5);
  c.net.deliver_all();
  const auto delivered = c.net.delivered().size();
  c.faults.crash(3);  // in no chain
  c.faults.recover(3);
  for (std::size_t i = delivered; i < c.net.delivered().size(); ++i)
    EXPECT_TRUE(is_poke(c.net.delivered()[i]));  // only the rig's pokes
  EXPECT_TRUE(c.net.in_flight().empty());
  EXPECT_EQ(c.node(0).epoch_of(0), 1u);
}

TEST(ChainFaultTest, EveryHeadIsReportedAtTheStartAtEpochOne)
{
  Chains c(Placement(4, {{0, 1, 2}, {1, 2, 3}, {3, 0}}));
  const auto e0 = c.events(0);
  ASSERT_EQ(e0.size(), 1u);
  EXPECT_EQ(e0[0].kind, RoleEvent::Kind::became_leader);
  EXPECT_EQ(e0[0].unit, 0);
  EXPECT_EQ(e0[0].term, 1u);
  ASSERT_EQ(c.events(1).size(), 1u);
  EXPECT_TRUE(c.events(2).empty());
  const auto e3 = c.events(3);
  ASSERT_EQ(e3.size(), 1u);
  EXPECT_EQ(e3[0].unit, 2);
}

// --- head failure ---------------------------------------------------------------------------

TEST(ChainFaultTest, HeadFailureTheSuccessorLeadsAndNoAcknowledgedWriteIsLost)
{
  Chains c(one_chain());
  c.write_at_head(1, 7);
  c.net.deliver_all();  // write 1: committed, acknowledged
  c.write_at_head(2, 7);  // write 2: only the head has it
  c.events(0);
  c.net.advance_to(1.0);
  c.faults.crash(0);
  c.net.deliver_all();  // the head's forward, sent before its crash, is no longer from node 1's predecessor
  EXPECT_EQ(c.node(1).head_of(0), 1);
  EXPECT_EQ(c.node(1).applied_seq(0), 1u);
  const auto events = c.events(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, RoleEvent::Kind::became_leader);
  EXPECT_EQ(events[0].term, 2u);
  EXPECT_EQ(events[0].at, 1.0);
  EXPECT_EQ(c.node(2).epoch_of(0), 2u);

  c.write(3, 7, 0);  // a client that does not know yet: lost with the head
  c.write(4, 7, 2);  // at the tail: refused, naming the new head
  c.net.deliver_all();
  ASSERT_EQ(c.write_replies().size(), 2u);
  EXPECT_FALSE(c.write_replies()[1].ok);
  EXPECT_EQ(c.write_replies()[1].leader, 1);
  c.write_at_head(5, 7);
  c.net.deliver_all();
  const auto replies = c.write_replies();
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_TRUE(replies[2].ok);
  EXPECT_EQ(replies[2].op, 5u);
  EXPECT_EQ(replies[2].version, 2u);  // write 2 never committed: its version is taken again
  EXPECT_EQ(replies[2].acks, 2);
  EXPECT_EQ(c.log(1), (std::vector<std::pair<Key, Version>>{{7, 1}, {7, 2}}));
  expect_converged(c);
  expect_no_acknowledged_write_lost(c);
}

// The old head's update 2 reached node 1 ahead of update 1, which was lost:
// node 1 holds it aside, waiting for the gap. Once node 1 leads, sequence
// number 2 is its own to give, and later the head's again when node 0 comes
// back: the old update must not take its place.
TEST(ChainFaultTest, ANewHeadForgetsUpdatesTheOldHeadSentAheadOfAGap)
{
  Chains c(one_chain());
  c.write_at_head(1, 7);
  c.write_at_head(2, 7);
  c.net.drop([](const Envelope& e) {
    return std::holds_alternative<ChainForward>(e.message) && std::get<ChainForward>(e.message).op == 1;
  });
  ASSERT_TRUE(c.net.deliver_first(is<ChainForward>(Address::node(1))));  // update 2, held aside
  c.faults.crash(0);
  c.write_at_head(3, 8);  // node 1 leads: update 1 is key 8's
  c.net.deliver_all();
  c.faults.recover(0);
  c.net.deliver_all();
  c.write_at_head(4, 9);  // node 0 leads again: update 2 is key 9's
  c.net.deliver_all();
  EXPECT_EQ(c.log(0), (std::vector<std::pair<Key, Version>>{{8, 1}, {9, 1}}));
  expect_converged(c);
  expect_no_acknowledged_write_lost(c);
  ASSERT_EQ(c.write_replies().size(), 2u);
  EXPECT_EQ(c.write_replies()[1].op, 4u);
}

// --- tail failure -----------------------------------------------------------------------------

TEST(ChainFaultTest, TailFailureThePredecessorCommitsWhatItHoldsAndAnswersForTheOldTail)
{
  Chains c(one_chain());
  c.write_at_head(1, 7);
  c.net.deliver_all();
  c.write_at_head(2, 7);
  ASSERT_TRUE(c.net.deliver_first(is<ChainForward>(Address::node(1))));  // the middle has write 2
  c.net.drop(is<ChainForward>(Address::node(2)));                       // the tail never gets it
  c.net.advance_to(1.0);
  c.faults.crash(2);
  EXPECT_EQ(c.node(0).tail_of(0), 1);
  // The new tail answers write 2 and acknowledges it up the chain, at once.
  std::vector<std::string> sent;
  for (const Envelope& e : c.net.in_flight())
    sent.push_back(std::holds_alternative<WriteReply>(e.message) ? "reply" : "ack");
  EXPECT_EQ(sent, (std::vector<std::string>{"reply", "ack"}));
  c.net.deliver_all();
  const auto replies = c.write_replies();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[1].op, 2u);
  EXPECT_TRUE(replies[1].ok);
  EXPECT_EQ(replies[1].acks, 2);
  EXPECT_EQ(replies[1].committed, 1.0);
  EXPECT_EQ(c.node(0).committed_seq(0), 2u);
  EXPECT_EQ(c.node(1).committed_version_of(7), 2u);

  // Reads go to the new tail and see write 2.
  const ChainRouter router(c.placement, ChainReads::tail, &c.membership);
  Rng rng(1);
  EXPECT_EQ(router.route(OpKind::read, 0, rng), 1);
  c.read(3, 7, 1);
  c.read(4, 7, 2);  // the old tail is gone: lost
  c.net.deliver_all();
  ASSERT_EQ(c.read_replies().size(), 1u);
  EXPECT_TRUE(c.read_replies()[0].ok);
  EXPECT_EQ(c.read_replies()[0].version, 2u);
  expect_converged(c);
  expect_no_acknowledged_write_lost(c);
}

TEST(ChainFaultTest, ANewTailAnswersAgainAWriteTheOldTailAnsweredButNeverAcknowledgedUpTheChain)
{
  Chains c(one_chain());
  c.write_at_head(1, 7);
  ASSERT_TRUE(c.net.deliver_first(is<ChainForward>(Address::node(1))));
  ASSERT_TRUE(c.net.deliver_first(is<ChainForward>(Address::node(2))));
  c.net.drop(is<ChainAck>(Address::node(1)));  // the tail answered; its ack dies with it
  c.net.deliver_all();
  ASSERT_EQ(c.write_replies().size(), 1u);
  c.faults.crash(2);
  c.net.deliver_all();
  const auto replies = c.write_replies();
  ASSERT_EQ(replies.size(), 2u);  // the client ignores the second answer
  EXPECT_EQ(replies[0].version, replies[1].version);
  EXPECT_EQ(c.node(0).committed_seq(0), 1u);
}

// --- middle failure ---------------------------------------------------------------------------

TEST(ChainFaultTest, MiddleFailureThePredecessorResendsItsSentListToItsNewSuccessor)
{
  Chains c(Placement(4, {{0, 1, 2, 3}}));
  for (OpId op = 1; op <= 3; ++op)
    c.write_at_head(op, 10 + op);
  // Node 1 has all three, node 2 only the first; nothing is acknowledged
  // upstream of node 2 yet.
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(c.net.deliver_first(is<ChainForward>(Address::node(1))));
  ASSERT_TRUE(c.net.deliver_first(is<ChainForward>(Address::node(2))));
  ASSERT_TRUE(c.net.deliver_first(is<ChainForward>(Address::node(3))));  // the tail: write 1 acknowledged
  c.net.drop([](const Envelope& e) { return e.from == Address::node(1); });  // all node 1 sends is lost
  c.faults.crash(1);
  // Node 0 resends writes 1–3 (nothing is committed at node 0) to node 2.
  std::vector<LogIndex> resent;
  for (const Envelope& e : c.net.in_flight())
    if (const auto* f = std::get_if<ChainForward>(&e.message); f != nullptr && e.from == Address::node(0))
      resent.push_back(f->seq);
  EXPECT_EQ(resent, (std::vector<LogIndex>{1, 2, 3}));
  c.net.deliver_all();
  const auto replies = c.write_replies();
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0].acks, 4);  // answered before the failure, by a chain of four
  EXPECT_EQ(replies[1].acks, 3);
  EXPECT_EQ(replies[2].acks, 3);
  expect_converged(c);
  expect_no_acknowledged_write_lost(c);
  EXPECT_EQ(c.node(0).committed_seq(0), 3u);
  EXPECT_EQ(c.node(0).epoch_of(0), 2u);
  EXPECT_EQ(c.node(0).head_of(0), 0);
}

TEST(ChainFaultTest, AfterAMiddleFailureTheSuccessorTellsItsNewPredecessorWhatIsCommitted)
{
  Chains c(one_chain());
  bool lose_acks = true;
  c.net.drop([&lose_acks](const Envelope& e) {
    return lose_acks && std::holds_alternative<ChainAck>(e.message) && e.to == Address::node(0);
  });
  c.write_at_head(1, 7);
  c.net.deliver_all();  // committed and answered; the middle's ack up is lost
  ASSERT_EQ(c.write_replies().size(), 1u);
  EXPECT_EQ(c.node(0).committed_seq(0), 0u);
  lose_acks = false;
  c.faults.crash(1);
  // Node 0 resends write 1; node 2 ignores it, and tells node 0 it is committed.
  c.net.deliver_all();
  EXPECT_EQ(c.node(0).committed_seq(0), 1u);
  EXPECT_EQ(c.write_replies().size(), 1u);
  EXPECT_EQ(c.net.received<ChainAck>(Address::node(0)).size(), 1u);
}

// --- CRAQ reads --------------------------------------------------------------------------------

TEST(ChainFaultTest, CraqReadsWaitingOnATailThatFailedAskTheNewOne)
{
  Chains c(Placement(4, {{0, 1, 2, 3}}), ChainReads::craq);
  c.write_at_head(1, 7);
  c.net.deliver_all();
  c.write_at_head(2, 7);
  ASSERT_TRUE(c.net.deliver_first(is<ChainForward>(Address::node(1))));
  ASSERT_TRUE(c.net.deliver_first(is<ChainForward>(Address::node(2))));
  c.read(3, 7, 1);  // dirty at node 1: it asks the tail, node 3
  ASSERT_TRUE(c.net.deliver_first(is<ClientRead>(Address::node(1))));
  c.net.drop(is<CommittedVersionQuery>(Address::node(3)));
  c.faults.crash(3);  // node 2 is the tail now: it commits write 2
  c.net.deliver_all();
  ASSERT_EQ(c.read_replies().size(), 1u);
  EXPECT_EQ(c.read_replies()[0].op, 3u);
  EXPECT_EQ(c.read_replies()[0].version, 2u);  // write 2 was acknowledged by the new tail
  EXPECT_EQ(c.node(1).pending_reads(), 0u);
}

TEST(ChainFaultTest, ANodeThatBecomesTheTailAnswersTheCraqReadsItWasWaitingOn)
{
  Chains c(one_chain(), ChainReads::craq);
  c.write_at_head(1, 7);
  ASSERT_TRUE(c.net.deliver_first(is<ChainForward>(Address::node(1))));
  c.read(2, 7, 1);
  ASSERT_TRUE(c.net.deliver_first(is<ClientRead>(Address::node(1))));
  EXPECT_EQ(c.node(1).pending_reads(), 1u);
  c.net.drop(is_any<CommittedVersionQuery>());
  c.faults.crash(2);
  EXPECT_EQ(c.node(1).pending_reads(), 0u);
  c.net.deliver_all();
  ASSERT_EQ(c.read_replies().size(), 1u);
  EXPECT_EQ(c.read_replies()[0].version, 1u);
}

// --- the router ------------------------------------------------------------------------------------

TEST(ChainFaultTest, TheRouterFollowsTheMembership)
{
  const Placement placement(4, {{2, 0, 1}, {3, 1}});
  Membership membership = Membership::all_up({0, 0, 0, 0});
  const ChainRouter router(placement, ChainReads::tail, &membership);
  const ChainRouter craq(placement, ChainReads::craq, &membership);
  Rng rng(5);
  membership.alive[2] = false;
  EXPECT_EQ(router.route(OpKind::write, 0, rng), 0);  // the first live replica
  EXPECT_EQ(router.route(OpKind::read, 0, rng), 1);
  membership.alive[1] = false;
  EXPECT_EQ(router.route(OpKind::read, 0, rng), 0);  // the last live replica
  EXPECT_EQ(router.primary(placement, 0, 0), 0);
  EXPECT_EQ(router.route(OpKind::read, 1, rng), 3);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(craq.route(OpKind::read, 0, rng), 0);  // CRAQ: only live replicas
  // A retry goes where the chain now takes the operation; where it just
  // failed, to the next replica.
  EXPECT_EQ(router.retry_target(OpKind::write, 0, 2, placement, rng), 0);
  EXPECT_EQ(router.retry_target(OpKind::write, 0, 0, placement, rng), 1);
}

}  // namespace chain_fault_test
}  // namespace replisim
