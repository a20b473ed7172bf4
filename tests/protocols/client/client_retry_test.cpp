// The client's retries (ClientConfig::retries, retry_backoff): refusals that
// name a leader, refusals as unavailable and timeouts are retried after an
// exponential backoff; a named leader is cached per unit for later writes; a
// timeout moves to the unit's next replica; late answers to earlier attempts
// of the same op; and where a leaderless router sends a retry.
#include <gtest/gtest.h>

#include <stdexcept>
#include <utility>
#include <vector>

#include "protocols/client/client.hpp"
#include "protocols/leaderless/coordinator_router.hpp"
#include "support/fake_network.hpp"

namespace replisim {
namespace client_retry_test {

using test::FakeNetwork;

class FixedRouter final : public Router {
public:
  explicit FixedRouter(NodeId node) : node_(node) {}
  NodeId route(OpKind, UnitId, Rng&) const override { return node_; }

private:
  NodeId node_;
};

Workload writes_only() { return Workload(KeyChooser(KeyDistribution::uniform, 1000), 0.0); }
Workload reads_only() { return Workload(KeyChooser(KeyDistribution::uniform, 1000), 1.0); }

ClientConfig config(std::uint64_t ops, int retries, int concurrency = 1)
{
  ClientConfig c;
  c.ops = ops;
  c.concurrency = concurrency;
  c.seed = 1;
  c.timeout = 2.0;
  c.retries = retries;
  c.retry_backoff = 0.1;
  return c;
}

Envelope reply_from(NodeId node, OpId op, bool ok, NodeId leader = kNoNode, Version version = 5)
{
  WriteReply r{op, ok, ok ? version : 0, ok ? 2 : 0, ok ? 1.0 : -1.0, leader};
  return {Address::node(node), Address::client(0), r};
}

Envelope read_reply_from(NodeId node, OpId op, bool ok, Version version = 5)
{
  return {Address::node(node), Address::client(0), ReadReply{op, ok, version}};
}

// The single request a Ready sends: (node, op).
std::pair<NodeId, OpId> request_of(const Ready& ready)
{
  EXPECT_EQ(ready.messages.size(), 1u);
  const Envelope& e = ready.messages.at(0);
  if (const auto* w = std::get_if<ClientWrite>(&e.message))
    return {e.to.index, w->op};
  return {e.to.index, std::get<ClientRead>(e.message).op};
}

// One shard of three replicas, nodes 0, 1 and 2: every key is unit 0.
struct OneShard {
  explicit OneShard(ClientConfig c, NodeId routed = 0, Workload w = writes_only())
      : router(routed), client(c, placement, router, std::move(w))
  {
  }
  Placement placement = leader_follower_placement(3, 3);
  FixedRouter router;
  ClientMachine client;
};

// --- retries = 0: exactly as before ------------------------------------------

TEST(ClientRetryTest, WithoutRetriesAHintIsIgnoredAndEveryOpIsOneAttempt)
{
  OneShard s(config(3, 0));
  EXPECT_EQ(request_of(s.client.start(0)), (std::pair<NodeId, OpId>{0, 0}));
  // A refusal naming node 2 ends the op as failed; the next op still goes
  // where the router says.
  const Ready after_refusal = s.client.step(reply_from(0, 0, false, 2), 0.5);
  EXPECT_EQ(request_of(after_refusal), (std::pair<NodeId, OpId>{0, 1}));
  EXPECT_EQ(after_refusal.cancelled_timers, std::vector<TimerId>{0});
  EXPECT_EQ(s.client.leader_hint(0), kNoNode);
  const Ready after_timeout = s.client.on_timer(1, 2.5);
  EXPECT_EQ(request_of(after_timeout), (std::pair<NodeId, OpId>{0, 2}));
  ASSERT_EQ(after_timeout.timers.size(), 1u);
  EXPECT_EQ(after_timeout.timers[0].id, 2u);  // an op's timer is its id, as before

  const auto done = s.client.take_completed();
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].outcome, Outcome::failed);
  EXPECT_EQ(done[0].attempts, 1);
  EXPECT_EQ(done[1].outcome, Outcome::timeout);
  EXPECT_EQ(done[1].attempts, 1);
}

// --- a refusal that names the leader ---------------------------------------------

TEST(ClientRetryTest, RefusalNamingALeaderRetriesThereAfterTheBackoff)
{
  OneShard s(config(1, 3));
  s.client.start(1.0);
  const Ready refused = s.client.step(reply_from(0, 0, false, 2), 1.25);
  EXPECT_TRUE(refused.messages.empty());  // not at once: after the backoff
  EXPECT_EQ(refused.cancelled_timers, std::vector<TimerId>{0});
  ASSERT_EQ(refused.timers.size(), 1u);
  EXPECT_DOUBLE_EQ(refused.timers[0].deadline, 1.35);
  EXPECT_EQ(s.client.leader_hint(0), 2);
  EXPECT_TRUE(s.client.take_completed().empty());

  const Ready retry = s.client.on_timer(refused.timers[0].id, 1.35);
  EXPECT_EQ(request_of(retry), (std::pair<NodeId, OpId>{2, 0}));  // the same op id, at the leader named
  ASSERT_EQ(retry.timers.size(), 1u);
  EXPECT_DOUBLE_EQ(retry.timers[0].deadline, 3.35);  // a full timeout for the new attempt

  s.client.step(reply_from(2, 0, true), 1.5);
  const auto done = s.client.take_completed();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].outcome, Outcome::ok);
  EXPECT_EQ(done[0].attempts, 2);
  EXPECT_EQ(done[0].coordinator, 2);
  EXPECT_EQ(done[0].start, 1.0);  // latency counts from the first attempt
  EXPECT_EQ(done[0].end, 1.5);
  EXPECT_TRUE(s.client.done());
}

TEST(ClientRetryTest, NewWritesOfAUnitGoToItsHintedLeader)
{
  OneShard s(config(3, 2));
  s.client.start(0);
  const Ready refused = s.client.step(reply_from(0, 0, false, 1), 0.1);
  const Ready retried = s.client.on_timer(refused.timers.at(0).id, 0.2);
  ASSERT_EQ(request_of(retried).first, 1);
  const Ready next = s.client.step(reply_from(1, 0, true), 0.3);
  EXPECT_EQ(request_of(next), (std::pair<NodeId, OpId>{1, 1}));  // the router says 0, the hint 1
  // A timeout at the hinted leader forgets the hint: its retry, and the
  // next op, go where the routing says again.
  const Ready backoff = s.client.on_timer(1, 2.3);
  EXPECT_EQ(s.client.leader_hint(0), kNoNode);
  const Ready retry = s.client.on_timer(backoff.timers.at(0).id, 2.4);
  EXPECT_EQ(request_of(retry), (std::pair<NodeId, OpId>{2, 1}));  // the replica after node 1
  const Ready third = s.client.step(reply_from(2, 1, true), 2.5);
  EXPECT_EQ(request_of(third), (std::pair<NodeId, OpId>{0, 2}));
}

// A write that timed out at a dead leader and was acknowledged by the next
// replica taught the client where the unit's leader now is: later writes go
// there, not to the dead leader first.
TEST(ClientRetryTest, AnAcknowledgedRetryTeachesTheLeaderWhenAcksNameIt)
{
  class LeaderRouter final : public Router {
  public:
    NodeId route(OpKind, UnitId, Rng&) const override { return 0; }
    bool acks_name_the_leader() const override { return true; }
  };
  const Placement placement = leader_follower_placement(3, 3);
  LeaderRouter router;
  ClientMachine client(config(2, 2), placement, router, writes_only());
  const Ready first = client.start(0);
  ASSERT_EQ(request_of(first).first, 0);
  const Ready backoff = client.on_timer(first.timers.at(0).id, 2.0);
  const Ready retry = client.on_timer(backoff.timers.at(0).id, 2.1);
  ASSERT_EQ(request_of(retry).first, 1);
  const Ready next = client.step(reply_from(1, 0, true), 2.2);
  EXPECT_EQ(client.leader_hint(0), 1);
  EXPECT_EQ(request_of(next), (std::pair<NodeId, OpId>{1, 1}));  // not back to node 0
}

// --- timeouts ----------------------------------------------------------------------

TEST(ClientRetryTest, TimeoutsRetryAtTheNextReplicaWithDoublingBackoffThenEndAsTimeout)
{
  OneShard s(config(1, 3), 1);  // the router names node 1, the middle replica
  const Ready first = s.client.start(0);
  EXPECT_EQ(request_of(first).first, 1);
  std::vector<NodeId> targets{1};
  std::vector<Time> sent{0};
  TimerId timer = first.timers.at(0).id;
  Time now = 0;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    now = sent.back() + 2.0;
    const Ready backoff = s.client.on_timer(timer, now);
    ASSERT_TRUE(backoff.messages.empty());
    ASSERT_EQ(backoff.timers.size(), 1u);
    const Time wait = 0.1 * (1 << (attempt - 1));  // 0.1, 0.2, 0.4
    EXPECT_DOUBLE_EQ(backoff.timers[0].deadline, now + wait) << "attempt " << attempt;
    const Ready retry = s.client.on_timer(backoff.timers[0].id, now + wait);
    targets.push_back(request_of(retry).first);
    sent.push_back(now + wait);
    timer = retry.timers.at(0).id;
  }
  EXPECT_EQ(targets, (std::vector<NodeId>{1, 2, 0, 1}));  // round robin over the replicas, in placement order
  EXPECT_TRUE(s.client.take_completed().empty());
  const Ready last = s.client.on_timer(timer, sent.back() + 2.0);
  EXPECT_TRUE(last.messages.empty());
  EXPECT_TRUE(last.timers.empty());
  const auto done = s.client.take_completed();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].outcome, Outcome::timeout);
  EXPECT_EQ(done[0].attempts, 4);
  EXPECT_EQ(done[0].coordinator, 1);
  EXPECT_DOUBLE_EQ(done[0].end, sent.back() + 2.0);
}

TEST(ClientRetryTest, TimersOfEarlierAttemptsAreIgnored)
{
  // A driver that cannot cancel timers (the fake network) fires them anyway.
  OneShard s(config(1, 2));
  s.client.start(0);
  const Ready refused = s.client.step(reply_from(0, 0, false, 1), 0.5);
  const Ready retry = s.client.on_timer(refused.timers.at(0).id, 0.6);
  ASSERT_EQ(request_of(retry).first, 1);
  EXPECT_TRUE(s.client.on_timer(0, 2.0).empty());                     // attempt 1's timeout
  EXPECT_TRUE(s.client.on_timer(refused.timers[0].id, 2.0).empty());  // the backoff, again
  EXPECT_TRUE(s.client.take_completed().empty());
  s.client.step(reply_from(1, 0, true), 2.1);
  EXPECT_EQ(s.client.take_completed().size(), 1u);
  EXPECT_TRUE(s.client.on_timer(retry.timers.at(0).id, 2.6).empty());  // the answered attempt's
  EXPECT_TRUE(s.client.take_completed().empty());
}

// --- refused as unavailable ----------------------------------------------------------

TEST(ClientRetryTest, RefusalsWithoutALeaderRetryAtTheNextReplicaAndEndAsFailed)
{
  OneShard s(config(1, 2));
  s.client.start(0);
  std::vector<NodeId> targets{0};
  for (int i = 0; i < 2; ++i) {
    const Ready backoff = s.client.step(reply_from(targets.back(), 0, false), 0.1 + i);
    targets.push_back(request_of(s.client.on_timer(backoff.timers.at(0).id, 0.5 + i)).first);
  }
  EXPECT_EQ(targets, (std::vector<NodeId>{0, 1, 2}));
  s.client.step(reply_from(2, 0, false), 3.0);
  const auto done = s.client.take_completed();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].outcome, Outcome::failed);  // refused every time: it did not commit
  EXPECT_EQ(done[0].attempts, 3);
}

TEST(ClientRetryTest, ARefusalAfterATimeoutEndsAsTimeoutBecauseTheFirstAttemptMayHaveCommitted)
{
  OneShard s(config(1, 1));
  s.client.start(0);
  const Ready backoff = s.client.on_timer(0, 2.0);
  s.client.on_timer(backoff.timers.at(0).id, 2.1);
  s.client.step(reply_from(1, 0, false), 2.2);
  const auto done = s.client.take_completed();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].outcome, Outcome::timeout);
  EXPECT_EQ(done[0].attempts, 2);
}

TEST(ClientRetryTest, ReadsRetryToo)
{
  OneShard s(config(1, 1), 0, reads_only());
  EXPECT_TRUE(std::holds_alternative<ClientRead>(s.client.start(0).messages.at(0).message));
  const Ready backoff = s.client.step(read_reply_from(0, 0, false), 0.1);
  const Ready retry = s.client.on_timer(backoff.timers.at(0).id, 0.2);
  ASSERT_EQ(retry.messages.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ClientRead>(retry.messages[0].message));
  EXPECT_EQ(retry.messages[0].to, Address::node(1));
  s.client.step(read_reply_from(1, 0, true, 7), 0.3);
  const auto done = s.client.take_completed();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].outcome, Outcome::ok);
  EXPECT_EQ(done[0].version, 7u);
  EXPECT_EQ(done[0].attempts, 2);
}

// --- late answers to earlier attempts ---------------------------------------------------

TEST(ClientRetryTest, ALateOkFromAnEarlierAttemptCompletesTheOp)
{
  OneShard s(config(1, 2));
  s.client.start(0);
  const Ready backoff = s.client.on_timer(0, 2.0);
  const Ready retry = s.client.on_timer(backoff.timers.at(0).id, 2.1);
  ASSERT_EQ(request_of(retry).first, 1);
  const Ready late = s.client.step(reply_from(0, 0, true, kNoNode, 9), 2.2);  // attempt 1 committed after all
  EXPECT_EQ(late.cancelled_timers, std::vector<TimerId>{retry.timers.at(0).id});
  auto done = s.client.take_completed();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].outcome, Outcome::ok);
  EXPECT_EQ(done[0].version, 9u);
  EXPECT_EQ(done[0].coordinator, 0);  // the attempt that answered
  EXPECT_EQ(done[0].attempts, 2);
  EXPECT_TRUE(s.client.step(reply_from(1, 0, true, kNoNode, 10), 2.3).empty());  // the retry's answer: too late
  EXPECT_TRUE(s.client.take_completed().empty());
}

TEST(ClientRetryTest, AnOkDuringTheBackoffCompletesTheOp)
{
  OneShard s(config(1, 2));
  s.client.start(0);
  const Ready backoff = s.client.on_timer(0, 2.0);
  const Ready late = s.client.step(reply_from(0, 0, true), 2.05);
  EXPECT_EQ(late.cancelled_timers, std::vector<TimerId>{backoff.timers.at(0).id});
  EXPECT_EQ(s.client.take_completed().size(), 1u);
  EXPECT_TRUE(s.client.on_timer(backoff.timers[0].id, 2.1).empty());  // no retry goes out
}

TEST(ClientRetryTest, ALateRefusalFromAnEarlierAttemptIsIgnored)
{
  OneShard s(config(1, 2));
  s.client.start(0);
  const Ready backoff = s.client.on_timer(0, 2.0);
  EXPECT_TRUE(s.client.step(reply_from(0, 0, false), 2.05).empty());  // during the backoff
  const Ready retry = s.client.on_timer(backoff.timers.at(0).id, 2.1);
  ASSERT_EQ(request_of(retry).first, 1);
  EXPECT_TRUE(s.client.step(reply_from(0, 0, false, 2), 2.2).empty());  // node 0 again, during attempt 2
  EXPECT_EQ(s.client.leader_hint(0), kNoNode);
  EXPECT_TRUE(s.client.take_completed().empty());
  s.client.step(reply_from(1, 0, true), 2.3);
  const auto done = s.client.take_completed();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].outcome, Outcome::ok);
}

// --- on the fake network: a leader that moved -------------------------------------------

// Node 0 lost the leadership to node 2: it refuses every write naming 2.
class MovedLeader final : public StateMachine {
public:
  explicit MovedLeader(NodeId leader) : leader_(leader) {}
  Ready step(const Envelope& in, Time) override
  {
    Ready out;
    if (const auto* w = std::get_if<ClientWrite>(&in.message))
      out.send(in.to, in.from, WriteReply{w->op, in.to.index == leader_, 1, 1, 0, leader_});
    return out;
  }

private:
  NodeId leader_;
};

TEST(ClientRetryTest, AClosedLoopFollowsTheLeaderOnceAndKeepsItsWindow)
{
  const Placement placement = leader_follower_placement(3, 3);
  const FixedRouter router(0);
  ClientMachine client(config(20, 2, 3), placement, router, writes_only());
  MovedLeader n0(2), n1(2), n2(2);
  FakeNetwork net;
  net.add(Address::node(0), n0);
  net.add(Address::node(1), n1);
  net.add(Address::node(2), n2);
  net.add(Address::client(0), client);
  net.start_all();
  for (Time t = 0; !client.done() && t < 10; t += 0.05) {
    net.deliver_all();
    net.advance_to(t);
  }
  ASSERT_TRUE(client.done());
  const auto done = client.take_completed();
  ASSERT_EQ(done.size(), 20u);
  int retried = 0;
  for (const Completion& c : done) {
    EXPECT_EQ(c.outcome, Outcome::ok);
    EXPECT_EQ(c.coordinator, 2);
    retried += c.attempts - 1;
  }
  // The first window's three writes went to node 0 before any hint came
  // back; every later write went straight to the leader.
  EXPECT_EQ(retried, 3);
  EXPECT_EQ(net.received<ClientWrite>(Address::node(0)).size(), 3u);
  EXPECT_EQ(net.received<ClientWrite>(Address::node(2)).size(), 20u);
}

TEST(ClientRetryTest, RejectsBadRetrySettings)
{
  const Placement placement = leader_follower_placement(3, 3);
  const FixedRouter router(0);
  ClientConfig c = config(1, -1);
  EXPECT_THROW(ClientMachine(c, placement, router, writes_only()), std::invalid_argument);
  c.retries = 101;
  EXPECT_THROW(ClientMachine(c, placement, router, writes_only()), std::invalid_argument);
  c.retries = 1;
  c.retry_backoff = -0.1;
  EXPECT_THROW(ClientMachine(c, placement, router, writes_only()), std::invalid_argument);
}

// --- where routers send a retry ---------------------------------------------------------

TEST(ClientRetryTest, ALeaderlessRetryGoesToALiveCoordinatorChosenAfresh)
{
  const Placement placement = leader_follower_placement(4, 4);
  Membership membership = Membership::all_up({0, 0, 0, 0});
  const CoordinatorRouter router(placement, membership, CoordinatorChoice::random, 0);
  Rng rng(3), replay(3);
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(router.retry_target(OpKind::write, 0, 1, placement, rng), static_cast<NodeId>(replay.below(4)));
  // The membership changes during the run: the candidates follow it.
  membership.alive[1] = false;
  membership.alive[3] = false;
  for (int i = 0; i < 50; ++i) {
    const NodeId n = router.route(OpKind::write, 0, rng);
    EXPECT_TRUE(n == 0 || n == 2) << n;
  }
  membership.alive[3] = true;
  bool saw_3 = false;
  for (int i = 0; i < 50; ++i)
    saw_3 = saw_3 || router.retry_target(OpKind::write, 0, 0, placement, rng) == 3;
  EXPECT_TRUE(saw_3);
}

}  // namespace client_retry_test
}  // namespace replisim
