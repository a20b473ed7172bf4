// The client's leader discovery (ClientConfig::discovery, leader_view.hpp):
// after a timeout or a refusal the client asks the unit's replicas who
// leads, operations wait for a leader instead of going back to a dead one,
// a stale leader's claim is refused, waits and deliveries are bounded, and
// the view is checked periodically and no more often than its minimum.
// Without discovery, a client whose leader died kept sending to it.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "protocols/client/client.hpp"

namespace replisim {
namespace client_discovery_test {

class LeaderRouter final : public Router {
public:
  NodeId route(OpKind, UnitId, Rng&) const override { return 0; }
  bool acks_name_the_leader() const override { return true; }
  bool to_leader(OpKind) const override { return true; }
};

Workload writes_only() { return Workload(KeyChooser(KeyDistribution::uniform, 1000), 0.0); }

// MongoDB's drivers: checks every 10 s, at least 500 ms apart, a 30 s wait
// for a primary; retries as given.
ClientConfig mongodb(std::uint64_t ops, int retries)
{
  ClientConfig c;
  c.ops = ops;
  c.seed = 1;
  c.timeout = 2.0;
  c.retries = retries;
  c.discovery = {.enabled = true, .refresh_interval = 10, .min_refresh_interval = 0.5, .leader_wait = 30,
                 .delivery_timeout = kNever, .follow_hints = false};
  return c;
}

// One replica set of nodes 0, 1 and 2; node 0 leads it at first.
struct OneShard {
  explicit OneShard(ClientConfig c) : client(c, placement, router, writes_only()) {}
  Placement placement = leader_follower_placement(3, 3);
  LeaderRouter router;
  ClientMachine client;
};

std::vector<NodeId> writes_to(const Ready& r)
{
  std::vector<NodeId> to;
  for (const Envelope& e : r.messages)
    if (std::holds_alternative<ClientWrite>(e.message))
      to.push_back(e.to.index);
  return to;
}

std::vector<NodeId> queries_to(const Ready& r)
{
  std::vector<NodeId> to;
  for (const Envelope& e : r.messages)
    if (std::holds_alternative<LeaderQuery>(e.message))
      to.push_back(e.to.index);
  return to;
}

Envelope info(NodeId from, bool leads, Term term)
{
  return {Address::node(from), Address::client(0), LeaderInfo{0, leads, term}};
}

Envelope ok_from(NodeId node, OpId op)
{
  return {Address::node(node), Address::client(0), WriteReply{op, true, 1, 2, 0, kNoNode}};
}

// The deadline a Ready set for a discovery timer of `kind` (1 check, 2
// periodic, 3 leader wait, 4 delivery); -1 if none.
Time timer_of(const Ready& r, int kind)
{
  for (const TimerRequest& t : r.timers)
    if ((t.id >> 63) != 0 && static_cast<int>((t.id >> 60) & 7) == kind && t.id != ~TimerId{0})
      return t.deadline;
  return -1;
}
TimerId timer_id(const Ready& r, int kind)
{
  for (const TimerRequest& t : r.timers)
    if ((t.id >> 63) != 0 && static_cast<int>((t.id >> 60) & 7) == kind && t.id != ~TimerId{0})
      return t.id;
  return 0;
}

// The case: the leader crashes, --retries not given (0). The write
// in flight times out; the client asks every member who leads, and the next
// write waits for the answer and goes to the new primary. Before, it went
// to the dead node 0 again, and so did every later write.
TEST(ClientDiscoveryTest, AfterATimeoutTheNextWriteWaitsForTheNewLeaderInsteadOfTheDeadOne)
{
  OneShard s(mongodb(3, 0));
  const Ready first = s.client.start(0);
  EXPECT_EQ(writes_to(first), std::vector<NodeId>{0});
  EXPECT_DOUBLE_EQ(timer_of(first, 2), 10.0) << "heartbeatFrequencyMS";

  const Ready timed_out = s.client.on_timer(0, 2.0);
  EXPECT_EQ(queries_to(timed_out), (std::vector<NodeId>{0, 1, 2})) << "every member is checked";
  EXPECT_TRUE(writes_to(timed_out).empty()) << "the next write waits for a primary";
  EXPECT_EQ(s.client.waiting_for_leader(), 1u);
  EXPECT_DOUBLE_EQ(timer_of(timed_out, 3), 32.0) << "serverSelectionTimeoutMS";
  auto done = s.client.take_completed();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].outcome, Outcome::timeout);

  const Ready secondary = s.client.step(info(2, false, 2), 2.01);
  EXPECT_TRUE(writes_to(secondary).empty()) << "a secondary is no primary";
  const Ready primary = s.client.step(info(1, true, 2), 2.01);
  EXPECT_EQ(writes_to(primary), std::vector<NodeId>{1});
  EXPECT_EQ(s.client.leader_hint(0), 1);
  EXPECT_EQ(s.client.waiting_for_leader(), 0u);

  const Ready next = s.client.step(ok_from(1, 1), 2.02);
  EXPECT_EQ(writes_to(next), std::vector<NodeId>{1});
}

// SDAM's stale-primary rule: a primary at an older term (electionId) heard
// after the new one is not taken back; the believed primary saying it is no
// longer one is forgotten.
TEST(ClientDiscoveryTest, AClaimAtAnOlderTermIsRefusedAndAStepDownIsForgotten)
{
  LeaderView view;
  view.start(0, 0);
  EXPECT_TRUE(view.answer(0, 1, true, 3));
  EXPECT_FALSE(view.answer(0, 0, true, 2)) << "a deposed primary heard late";
  EXPECT_EQ(view.leader(0), 1);
  EXPECT_FALSE(view.answer(0, 2, false, 3)) << "a secondary changes nothing";
  EXPECT_TRUE(view.answer(0, 1, false, 3));
  EXPECT_EQ(view.leader(0), kNoNode);
  EXPECT_TRUE(view.answer(0, 2, true, 4));
  EXPECT_EQ(view.leader(0), 2);
}

// While a write waits, the members are checked every minHeartbeatFrequencyMS
// (500 ms); with no primary found in serverSelectionTimeoutMS (30 s) the
// write fails, and nothing was sent: it did not commit.
TEST(ClientDiscoveryTest, AWriteWaitsThirtySecondsForAPrimaryCheckingEveryHalfSecondThenFails)
{
  OneShard s(mongodb(2, 0));
  s.client.start(0);
  Ready r = s.client.on_timer(0, 2.0);  // op 0 timed out: op 1 waits from 2 s
  const TimerId wait = timer_id(r, 3);
  int checks = 1;
  Time at = timer_of(r, 1);
  TimerId check = timer_id(r, 1);
  std::vector<Time> check_times{2.0};
  while (at > 0 && at < 32.0) {
    r = s.client.on_timer(check, at);
    EXPECT_EQ(queries_to(r).size(), 3u);
    check_times.push_back(at);
    ++checks;
    check = timer_id(r, 1);
    at = timer_of(r, 1);
  }
  EXPECT_EQ(checks, 60) << "2 s to 31.5 s, every 0.5 s";
  EXPECT_DOUBLE_EQ(check_times.back(), 31.5);
  s.client.on_timer(wait, 32.0);
  const auto done = s.client.take_completed();
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[1].outcome, Outcome::failed);
  EXPECT_DOUBLE_EQ(done[1].end - done[1].start, 30.0);
  EXPECT_TRUE(s.client.done());
}

// minHeartbeatFrequencyMS: a check asked for 200 ms after the last one
// leaves 500 ms after it, not at once.
TEST(ClientDiscoveryTest, ChecksOfAUnitAreAtLeastTheMinimumApart)
{
  ClientConfig c = mongodb(3, 1);
  OneShard s(c);
  s.client.start(0);
  const Ready first = s.client.on_timer(0, 2.0);  // timed out: a check at 2 s, op 0 backs off
  EXPECT_EQ(queries_to(first).size(), 3u);
  s.client.step(info(1, true, 2), 2.05);
  const Ready retry = s.client.on_timer(first.timers.back().id, 2.1);
  ASSERT_EQ(writes_to(retry), std::vector<NodeId>{1});
  const Envelope refused{Address::node(1), Address::client(0), WriteReply{0, false, 0, 0, -1, 2}};
  const Ready r = s.client.step(refused, 2.2);
  EXPECT_TRUE(queries_to(r).empty()) << "the last check was 200 ms ago";
  EXPECT_DOUBLE_EQ(timer_of(r, 1), 2.5);
  EXPECT_EQ(s.client.leader_hint(0), kNoNode) << "MongoDB's drivers do not follow the hint: they check";
}

// Raft and Kafka (KIP-951) follow a refusal's hint at once.
TEST(ClientDiscoveryTest, ARefusalNamingTheLeaderIsFollowedWhereThePresetSaysSo)
{
  ClientConfig c = mongodb(1, 1);
  c.discovery.follow_hints = true;
  c.retry_backoff = 0.1;
  OneShard s(c);
  s.client.start(0);
  const Envelope refused{Address::node(0), Address::client(0), WriteReply{0, false, 0, 0, -1, 2}};
  const Ready r = s.client.step(refused, 0.01);
  EXPECT_TRUE(queries_to(r).empty());
  EXPECT_EQ(s.client.leader_hint(0), 2);
  const Ready retry = s.client.on_timer(r.timers.back().id, 0.11);
  EXPECT_EQ(writes_to(retry), std::vector<NodeId>{2});
}

// Kafka's delivery.timeout.ms: a record is retried, waits included, until
// 120 s after it was sent; then it ends, as a timeout if an attempt may
// have reached the leader. retry.backoff.max.ms bounds each backoff to 1 s.
TEST(ClientDiscoveryTest, KafkaRetriesWithBoundedBackoffUntilTheDeliveryTimeout)
{
  ClientConfig c = mongodb(1, 100);
  c.discovery = {.enabled = true, .refresh_interval = 300, .min_refresh_interval = 0.1, .leader_wait = kNever,
                 .delivery_timeout = 120, .follow_hints = true};
  c.retry_backoff = 0.1;
  c.retry_backoff_max = 1.0;
  OneShard s(c);
  const Ready first = s.client.start(0);
  EXPECT_DOUBLE_EQ(timer_of(first, 4), 120.0);
  // Every answer names node 0 as the leader, which never answers writes.
  Time now = 0;
  TimerId attempt = 0;
  std::vector<Time> backoffs;
  while (now < 110) {
    now += 2.0;
    const Ready to = s.client.on_timer(attempt, now);
    s.client.step(info(0, true, 1), now);
    const TimerRequest& backoff = to.timers.back();
    backoffs.push_back(backoff.deadline - now);
    now = backoff.deadline;
    const Ready sent = s.client.on_timer(backoff.id, now);
    ASSERT_EQ(writes_to(sent), std::vector<NodeId>{0});
    attempt = std::find_if(sent.timers.begin(), sent.timers.end(), [](const TimerRequest& t) {
                return (t.id >> 63) == 0;
              })->id;
  }
  EXPECT_NEAR(backoffs[0], 0.1, 1e-9);
  EXPECT_NEAR(backoffs[3], 0.8, 1e-9);
  EXPECT_NEAR(backoffs[4], 1.0, 1e-9);
  EXPECT_NEAR(backoffs.back(), 1.0, 1e-9);
  EXPECT_TRUE(s.client.take_completed().empty());
  s.client.on_timer(timer_id(first, 4), 120.0);
  const auto done = s.client.take_completed();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].outcome, Outcome::timeout);
  EXPECT_DOUBLE_EQ(done[0].end, 120.0);
}

// heartbeatFrequencyMS: every unit written to is checked every 10 s, even
// when all goes well; Raft's client (no period) checks only when in doubt.
TEST(ClientDiscoveryTest, TheViewIsCheckedPeriodicallyWhereThePresetSaysSo)
{
  ClientConfig c = mongodb(2, 0);
  c.rate = 0.01;  // one write every 100 s on average: the client stays busy
  OneShard s(c);
  const Ready start = s.client.start(0);
  const Ready first = s.client.on_timer(~TimerId{0}, 1.0);  // the first arrival
  ASSERT_EQ(writes_to(first), std::vector<NodeId>{0});
  s.client.step(ok_from(0, 0), 1.01);
  const Ready periodic = s.client.on_timer(timer_id(start, 2), 10.0);
  EXPECT_EQ(queries_to(periodic), (std::vector<NodeId>{0, 1, 2}));
  EXPECT_DOUBLE_EQ(timer_of(periodic, 2), 20.0);

  ClientConfig raft = c;
  raft.discovery.refresh_interval = kNever;
  OneShard r(raft);
  EXPECT_LT(timer_of(r.client.start(0), 2), 0) << "no periodic check";
}

// Without discovery (no failover) nothing changes: no query, no wait.
TEST(ClientDiscoveryTest, WithoutDiscoveryATimedOutLeaderGetsTheNextWriteAsBefore)
{
  ClientConfig c = mongodb(2, 0);
  c.discovery = {};
  OneShard s(c);
  s.client.start(0);
  const Ready r = s.client.on_timer(0, 2.0);
  EXPECT_TRUE(queries_to(r).empty());
  EXPECT_EQ(writes_to(r), std::vector<NodeId>{0});
}

}  // namespace client_discovery_test
}  // namespace replisim
