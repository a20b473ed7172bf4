// KafkaControlled (protocols/leader_follower/kafka_controlled.hpp): leaders
// chosen by a Kafka controller, against a FakeHost: the broker's heartbeats,
// the controller's decisions applied, the ISR a leader proposes, and the
// high watermark. Whole failovers over a network are in
// tests/protocols/kafka_failover_test.cpp.
#include "protocols/leader_follower/kafka_controlled.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/fake_host.hpp"

namespace replisim {
namespace kafka_controlled_test {

using test::FakeHost;
using test::sent;
using Trace = std::vector<std::string>;

// Node `self` of a partition placed on nodes 0, 1 and 2 (node 0 its
// preferred leader, and the first controller).
struct Broker {
  explicit Broker(NodeId id, WriteConcern concern = WriteConcern::all, int min_insync = 1, std::uint64_t seed = 1)
      : self(id), host(placement, id), policy(host, id, placement, concern, min_insync, FailoverConfig::kafka(seed))
  {
    host.policy = &policy;
  }
  NodeId self;
  Placement placement = leader_follower_placement(3, 3);
  FakeHost host;
  KafkaControlled policy;

  UnitState& unit() { return host.unit(0); }
  Ready start()
  {
    Ready out;
    policy.start(out);
    host.take_trace();
    return out;
  }
  Ready deliver(Message m, NodeId from)
  {
    Ready out;
    policy.step({Address::node(from), Address::node(self), std::move(m)}, out);
    return out;
  }
  // The controller's decision for the partition.
  Ready decide(NodeId leader, Term epoch, std::uint64_t version, std::vector<NodeId> isr)
  {
    return deliver(LeaderAndIsr{{PartitionState{0, leader, epoch, version, std::move(isr)}}, 1, false}, 0);
  }
};

TEST(KafkaControlledTest, AtTheStartThePreferredLeaderLeadsAndNodeZeroIsTheController)
{
  Broker b(0);
  Ready out;
  b.policy.start(out);
  EXPECT_EQ(b.host.take_trace(), (Trace{"take_lead 0", "send_heartbeats 0"}));
  ASSERT_NE(b.policy.controller(), nullptr);
  EXPECT_TRUE(b.policy.controller()->active());
  ASSERT_EQ(out.timers.size(), 2u);
  EXPECT_EQ(out.timers[0].id, KafkaControlled::kIsrTimer);
  EXPECT_EQ(out.timers[1].id, KafkaControlled::kControllerTimer);
}

TEST(KafkaControlledTest, EveryOtherBrokerHeartbeatsTheControllerAndHasNoElectionTimer)
{
  Broker b(1);
  Ready out = b.start();
  ASSERT_EQ(out.timers.size(), 2u);
  EXPECT_EQ(out.timers[0].id, KafkaControlled::kIsrTimer);
  out.timers.erase(out.timers.begin());
  EXPECT_EQ(out.timers[0].id, KafkaControlled::kBrokerTimer);
  EXPECT_EQ(out.timers[0].deadline, KafkaControllerConfig{}.broker_heartbeat_interval);
  EXPECT_EQ(b.policy.election_deadline(0), kNever);
  EXPECT_FALSE(b.policy.controller()->active());

  Ready heard;
  b.policy.on_leader_heard(b.unit(), heard);
  EXPECT_TRUE(heard.empty()) << "a leader's append resets no timer: the controller decides";

  b.host.clock = out.timers[0].deadline;
  Ready beat;
  b.policy.on_timer(KafkaControlled::kBrokerTimer, beat);
  ASSERT_EQ(sent<BrokerHeartbeat>(beat).size(), 1u);
  EXPECT_EQ(beat.messages[0].to, Address::node(0));
}

TEST(KafkaControlledTest, ADecisionNamingThisBrokerAtANewerEpochMakesItLeadWithTheControllersIsr)
{
  Broker b(1);
  b.start();
  const Ready out = b.decide(1, 2, 2, {1, 2});
  EXPECT_EQ(b.host.take_trace(), (Trace{"become_follower 0 term 2 leader 1", "take_lead 0", "start_writing 0"}));
  EXPECT_EQ(out.persist, 1u) << "the state the controller sent is kept on disk";
  const auto& replicas = b.unit().vol.lead->replicas;
  EXPECT_FALSE(replicas[0].in_sync);
  EXPECT_TRUE(replicas[1].in_sync);
  EXPECT_TRUE(replicas[2].in_sync);
}

TEST(KafkaControlledTest, ADecisionNoNewerThanTheLastAppliedChangesNothing)
{
  Broker b(1);
  b.start();
  b.decide(1, 2, 2, {1, 2});
  b.host.take_trace();
  const Ready same = b.decide(2, 2, 2, {2});
  const Ready older = b.decide(0, 1, 5, {0});
  EXPECT_TRUE(b.host.take_trace().empty());
  EXPECT_EQ(same.persist + older.persist, 0u);
}

TEST(KafkaControlledTest, AnIsrChangeOfTheLeadersOwnEpochIsAdoptedAndRecounted)
{
  Broker b(1);
  b.start();
  b.decide(1, 2, 2, {1, 2});
  b.host.take_trace();
  b.decide(1, 2, 3, {0, 1, 2});
  EXPECT_EQ(b.host.take_trace(), Trace{"acknowledge_committed 0"});
  EXPECT_TRUE(b.unit().vol.lead->replicas[0].in_sync);
}

TEST(KafkaControlledTest, ADecisionNamingAnotherBrokerMakesTheLeaderStepDown)
{
  Broker b(0);
  b.start();
  b.decide(2, 2, 2, {1, 2});
  EXPECT_EQ(b.host.take_trace(), (Trace{"become_follower 0 term 2 leader 2"}));
  EXPECT_EQ(b.policy.redirect_to(b.unit()), 2);
}

// replica.lag.time.max.ms: the leader's ISR check proposes to drop a
// follower that has not answered for 30 s; the controller, not the leader,
// shrinks the ISR. Heartbeats alone drop nobody: they used to, at the first
// heartbeat 30 s after the follower went silent.
TEST(KafkaControlledTest, ALeaderProposesToDropASilentFollowerAndNothingWhileTheIsrHolds)
{
  Broker b(1);
  const Ready started = b.start();
  const Time phase = started.timers.at(0).deadline;
  b.decide(1, 2, 2, {1, 2});
  Ready quiet;
  b.policy.after_heartbeats({0}, quiet);
  EXPECT_TRUE(quiet.empty()) << "the ISR it would propose is the controller's";

  b.host.clock = 31.0;
  Ready heartbeat;
  b.policy.after_heartbeats({0}, heartbeat);
  EXPECT_TRUE(heartbeat.empty()) << "no ISR check has run since the follower fell silent";

  b.host.clock = phase + 30.0;  // the checks at phase and phase + 15 s found it heard within 30 s
  Ready out;
  b.policy.on_timer(KafkaControlled::kIsrTimer, out);
  const auto proposals = sent<AlterPartition>(out);
  ASSERT_EQ(proposals.size(), 1u);
  EXPECT_EQ(out.messages[0].to, Address::node(0));
  EXPECT_EQ(proposals[0].proposals.at(0).isr, std::vector<NodeId>{1});
  EXPECT_TRUE(b.unit().vol.lead->replicas[2].in_sync) << "still in sync here until the controller agrees";
}

// The check's phase: uniform over replica.lag.time.max.ms / 2 from the
// broker's start, drawn from the seed; every check 15 s after the last.
TEST(KafkaControlledTest, TheIsrCheckRunsEveryHalfLagFromAPhaseDrawnFromTheSeed)
{
  std::vector<Time> phases;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    Broker b(1, WriteConcern::all, 1, seed);
    const Ready out = b.start();
    ASSERT_EQ(out.timers.at(0).id, KafkaControlled::kIsrTimer);
    phases.push_back(out.timers[0].deadline);
  }
  EXPECT_GE(*std::min_element(phases.begin(), phases.end()), 0.0);
  EXPECT_LT(*std::max_element(phases.begin(), phases.end()), 15.0);
  EXPECT_LT(*std::min_element(phases.begin(), phases.end()), 0.5);
  EXPECT_GT(*std::max_element(phases.begin(), phases.end()), 14.5);
  EXPECT_EQ(Broker(1, WriteConcern::all, 1, 7).start().timers.at(0).deadline,
            Broker(1, WriteConcern::all, 1, 7).start().timers.at(0).deadline);

  Broker b(1);
  const Time phase = b.start().timers.at(0).deadline;
  b.host.clock = phase;
  Ready next;
  b.policy.on_timer(KafkaControlled::kIsrTimer, next);
  ASSERT_EQ(next.timers.size(), 1u);
  EXPECT_DOUBLE_EQ(next.timers[0].deadline, phase + 15.0);
}

// The row: a follower silent since it was last caught up (at 0)
// leaves the ISR 30–45 s later, at the first check past 30 s, over seeds;
// it used to be 30 s (the first heartbeat past 30 s) for every seed.
TEST(KafkaControlledTest, ASilentFollowerIsProposedForRemovalThirtyToFortyFiveSecondsLater)
{
  std::vector<Time> proposed_at;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    Broker b(1, WriteConcern::all, 1, seed);
    Time check = b.start().timers.at(0).deadline;
    b.decide(1, 2, 2, {1, 2});
    for (int i = 0; i < 5; ++i) {
      b.host.clock = check;
      Ready out;
      b.policy.on_timer(KafkaControlled::kIsrTimer, out);
      if (!sent<AlterPartition>(out).empty()) {
        proposed_at.push_back(check);
        break;
      }
      check = out.timers.at(0).deadline;
    }
  }
  ASSERT_EQ(proposed_at.size(), 100u);
  const Time first = *std::min_element(proposed_at.begin(), proposed_at.end());
  const Time last = *std::max_element(proposed_at.begin(), proposed_at.end());
  EXPECT_GT(first, 30.0);
  EXPECT_LT(first, 31.0);
  EXPECT_LT(last, 45.0);
  EXPECT_GT(last, 44.0);
}

// Kafka's high watermark: what every in-sync replica holds.
TEST(KafkaControlledTest, TheCommitIndexIsTheHighWatermarkOfTheIsr)
{
  Broker b(0);
  UnitState& u = b.unit();
  auto& replicas = u.vol.lead->replicas;
  replicas[0].match = 5;
  replicas[1].match = 4;
  replicas[2].match = 1;
  EXPECT_EQ(b.policy.commit_index(u), 1u) << "no majority rule: every replica in sync counts";
  replicas[2].in_sync = false;
  EXPECT_EQ(b.policy.commit_index(u), 4u);
}

// NOT_ENOUGH_REPLICAS_AFTER_APPEND: acks=all with min.insync.replicas.
TEST(KafkaControlledTest, HeldWritesFailOnceTheIsrShrankBelowMinInsync)
{
  Broker all(0, WriteConcern::all, 2);
  Leading& lead = all.unit().vol.lead.get();
  EXPECT_FALSE(all.policy.fails_held_writes(lead));
  lead.replicas[1].in_sync = false;
  EXPECT_FALSE(all.policy.fails_held_writes(lead));
  lead.replicas[2].in_sync = false;
  EXPECT_TRUE(all.policy.fails_held_writes(lead));

  Broker one(0, WriteConcern::one, 2);
  Leading& other = one.unit().vol.lead.get();
  other.replicas[1].in_sync = other.replicas[2].in_sync = false;
  EXPECT_FALSE(one.policy.fails_held_writes(other)) << "min.insync.replicas is for acks=all";
}

// Kafka's Partition.isFollowerInSync: a leader back from a crash may know the
// high watermark lower than its followers do.
TEST(KafkaControlledTest, AFollowerRejoinsTheIsrAtTheHighWatermarkAndPastTheStartOfTheEpoch)
{
  Broker b(0);
  UnitState& u = b.unit();
  u.vol.commit = 3;
  u.vol.lead->term_start = 5;
  EXPECT_EQ(b.policy.rejoin_index(u), 5u);
  u.vol.commit = 7;
  EXPECT_EQ(b.policy.rejoin_index(u), 7u);
}

TEST(KafkaControlledTest, ABrokerBackFromACrashRegistersAtOnceWithTheNodeAfterIt)
{
  Broker b(1);
  b.start();
  b.policy.crash();
  b.host.clock = 4.0;
  Ready out;
  b.policy.recover(out);
  const auto beats = sent<BrokerHeartbeat>(out);
  ASSERT_EQ(beats.size(), 1u);
  EXPECT_TRUE(beats[0].registering);
  EXPECT_EQ(out.messages[0].to, Address::node(2));
  EXPECT_TRUE(b.policy.leaders_change());
}

TEST(KafkaControlledTest, ATimerNotItsOwnIsIgnored)
{
  Broker b(1);
  b.start();
  Ready out;
  b.policy.on_timer(0, out);  // no election timers with a controller
  EXPECT_TRUE(out.empty());
}

}  // namespace kafka_controlled_test
}  // namespace replisim
