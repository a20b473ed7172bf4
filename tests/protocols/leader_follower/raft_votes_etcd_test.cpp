// RaftVotes with etcd's clock (FailoverConfig::etcd, --failover etcd),
// against a FakeHost: ticks of the node's own ticker, the timeout drawn at
// changes of term or role, CheckQuorum's count and the followers' lease, as
// raft.go (go.etcd.io/etcd/raft, v3.4) keeps them. The clock's own rules are
// in etcd_ticks_test.cpp.
#include "protocols/leader_follower/raft_votes.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "support/fake_host.hpp"

namespace replisim {
namespace raft_votes_etcd_test {

using test::FakeHost;
using test::sent;
using Trace = std::vector<std::string>;

constexpr Time kTick = 0.100;
constexpr Time kEt = 1.000;

struct EtcdReplica {
  explicit EtcdReplica(NodeId id, std::uint64_t seed = 1, bool pre_vote = false)
      : self(id), config(make_config(seed, pre_vote)), host(placement, id),
        policy(host, id, placement, WriteConcern::majority, config)
  {
    host.policy = &policy;
  }
  static FailoverConfig make_config(std::uint64_t seed, bool pre_vote)
  {
    FailoverConfig c = FailoverConfig::etcd(kTick, kEt, seed);
    c.pre_vote = pre_vote;
    return c;
  }
  NodeId self;
  FailoverConfig config;
  Placement placement = leader_follower_placement(3, 3);
  FakeHost host;
  RaftVotes policy;
  Time next_tick = kNever;

  UnitState& unit() { return host.unit(0); }
  const TickElection& clock() const { return policy.tick_election(0); }
  Ready start()
  {
    Ready out;
    policy.start(out);
    host.take_trace();
    take_tick_timer(out);
    return out;
  }
  void take_tick_timer(const Ready& out)
  {
    for (const auto& t : out.timers)
      if (t.id == RaftVotes::kTickTimer)
        next_tick = t.deadline;
  }
  // The ticker's next tick, `late` after it fell due (a pause).
  Ready tick(Time late = 0)
  {
    host.clock = next_tick + late;
    Ready out;
    policy.on_timer(RaftVotes::kTickTimer, out);
    take_tick_timer(out);
    return out;
  }
  Ready deliver(Message m, NodeId from)
  {
    Ready out;
    policy.step({Address::node(from), Address::node(self), std::move(m)}, out);
    return out;
  }
};

TEST(RaftVotesEtcdTest, EtcdsDefaultsCheckTheQuorumWithoutPreVote)
{
  const FailoverConfig c = FailoverConfig::etcd(kTick, kEt, 1);
  EXPECT_TRUE(c.ticks);
  EXPECT_EQ(c.step_down, StepDown::check_quorum);
  EXPECT_FALSE(c.pre_vote) << "etcd 3.4's default (3.5 turned it on)";
  EXPECT_EQ(election_ticks(c), 10);
  EXPECT_DOUBLE_EQ(c.election_timeout_max, 1.9) << "the longest draw: 19 ticks";
  EXPECT_THROW(FailoverConfig::etcd(kTick, 0.45, 1), std::invalid_argument) << "under 5 ticks";
  EXPECT_THROW(FailoverConfig::etcd(kTick, 1.05, 1), std::invalid_argument) << "not whole ticks";
}

// Each node's ticker has its own phase, drawn from the seed; a follower has
// no election timer of its own, only the node's ticker.
TEST(RaftVotesEtcdTest, EachNodeTicksAtItsOwnPhaseDrawnFromTheSeed)
{
  std::set<Time> phases;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    EtcdReplica r(1, seed);
    const Ready out = r.start();
    ASSERT_EQ(out.timers.size(), 1u);
    EXPECT_EQ(out.timers[0].id, RaftVotes::kTickTimer);
    EXPECT_GT(out.timers[0].deadline, 0.0);
    EXPECT_LE(out.timers[0].deadline, kTick);
    phases.insert(out.timers[0].deadline);
    EtcdReplica again(1, seed);
    EXPECT_EQ(again.start().timers.at(0).deadline, out.timers[0].deadline) << "same seed, same phase";
  }
  EXPECT_EQ(phases.size(), 10u);
}

// tickElection: a follower that hears nothing stands at the tick its count
// reaches the timeout drawn, in [10, 20) ticks: its election deadline.
TEST(RaftVotesEtcdTest, AFollowerStandsAtTheTickItsCountReachesTheDrawnTimeout)
{
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    EtcdReplica r(1, seed);
    r.start();
    const int timeout = r.clock().randomized();
    ASSERT_GE(timeout, 10);
    ASSERT_LT(timeout, 20);
    const Time deadline = r.policy.election_deadline(0);
    EXPECT_NEAR(deadline, r.next_tick + (timeout - 1) * kTick, 1e-9);
    for (int i = 1; i < timeout; ++i) {
      r.tick();
      ASSERT_EQ(r.unit().vol.role, ReplicaRole::follower) << "tick " << i;
    }
    const Ready out = r.tick();
    EXPECT_NEAR(r.host.clock, deadline, 1e-9);
    EXPECT_EQ(r.unit().vol.role, ReplicaRole::candidate);
    EXPECT_EQ(r.unit().durable.term, 2u);
    EXPECT_EQ(sent<RequestVote>(out).size(), 2u);
  }
}

// stepFollower: MsgApp and MsgHeartbeat zero electionElapsed and keep the
// draw; becomeFollower, becomeCandidate and becomeLeader draw anew.
TEST(RaftVotesEtcdTest, HeartbeatsRestartTheCountAndOnlyChangesOfTermDraw)
{
  EtcdReplica r(1, 2);
  r.start();
  const int timeout = r.clock().randomized();
  for (int i = 0; i < 5; ++i)
    r.tick();
  Ready out;
  r.policy.on_leader_heard(r.unit(), out);
  EXPECT_EQ(r.clock().elapsed(), 0);
  EXPECT_EQ(r.clock().randomized(), timeout);
  EXPECT_TRUE(out.empty()) << "no timer moved: the ticker goes on";

  std::set<int> draws;
  for (Term term = 2; term < 40; ++term) {
    r.tick();
    r.host.become_follower(r.unit(), term, kNoNode, out);
    EXPECT_EQ(r.clock().elapsed(), 0);
    draws.insert(r.clock().randomized());
  }
  EXPECT_GT(draws.size(), 5u) << "a new draw at every change of term";
}

// Step with checkQuorum: a follower that heard from its leader less than
// electionTimeout ticks ago ignores a MsgVote of a higher term (no answer,
// its term kept); at electionTimeout ticks it votes.
TEST(RaftVotesEtcdTest, AFollowerInItsLeaseIgnoresVotesUntilElectionTimeoutTicks)
{
  EtcdReplica r(1, 3);
  r.start();
  ASSERT_GT(r.clock().randomized(), 10) << "a seed whose follower does not stand at tick 10";
  for (int i = 0; i < 9; ++i)
    r.tick();
  EXPECT_TRUE(r.deliver(RequestVote{2, 0, 0, 0}, 2).empty());
  EXPECT_EQ(r.unit().durable.term, 1u);
  EXPECT_EQ(r.unit().vol.leader, 0);
  r.tick();
  const Ready out = r.deliver(RequestVote{2, 0, 0, 0}, 2);
  ASSERT_EQ(sent<Vote>(out).size(), 1u);
  EXPECT_TRUE(sent<Vote>(out)[0].granted);
  EXPECT_EQ(r.unit().durable.term, 2u);
  EXPECT_EQ(r.clock().elapsed(), 0) << "a vote granted zeroes electionElapsed";
}

// A candidate, or a follower that knows of no leader (r.lead == None), has no lease.
TEST(RaftVotesEtcdTest, WithoutALeaderThereIsNoLease)
{
  EtcdReplica r(1, 3);
  r.start();
  Ready out;
  r.host.become_follower(r.unit(), 2, kNoNode, out);
  EXPECT_TRUE(sent<Vote>(r.deliver(RequestVote{3, 0, 0, 0}, 2)).at(0).granted);
}

// The same lease holds for MsgPreVote (with PreVote on): ignored in it,
// granted after it without the term changing.
TEST(RaftVotesEtcdTest, PreVotesAreIgnoredInTheLeaseAndGrantedAfterIt)
{
  EtcdReplica r(1, 3, true);
  r.start();
  ASSERT_GT(r.clock().randomized(), 10);
  for (int i = 0; i < 9; ++i)
    r.tick();
  EXPECT_TRUE(r.deliver(PreVote{2, 0, 0, 0}, 2).empty());
  r.tick();
  const Ready out = r.deliver(PreVote{2, 0, 0, 0}, 2);
  ASSERT_EQ(sent<PreVoteReply>(out).size(), 1u);
  EXPECT_TRUE(sent<PreVoteReply>(out)[0].granted);
  EXPECT_EQ(r.unit().durable.term, 1u) << "a pre-vote changes no term";
}

// tickHeartbeat: the leader heartbeats at every tick of its ticker and
// checks its quorum every electionTimeout ticks; alone, it steps down at the
// tenth heartbeat, not before.
TEST(RaftVotesEtcdTest, ALeaderHeartbeatsOnItsTicksAndChecksItsQuorumEveryTenth)
{
  EtcdReplica r(0, 4);
  r.start();
  const Ticker ticker = *r.policy.ticker();
  EXPECT_DOUBLE_EQ(r.policy.next_heartbeat(0.5, kTick), ticker.next_after(0.5));
  for (int beat = 1; beat <= 10; ++beat) {
    r.host.clock = ticker.origin + beat * kTick;
    Ready out;
    r.policy.before_heartbeat(r.unit(), out);
    ASSERT_EQ(r.unit().vol.role, beat < 10 ? ReplicaRole::leader : ReplicaRole::follower) << "heartbeat " << beat;
  }
  EXPECT_EQ(r.host.take_trace(), (Trace{"become_follower 0 term 1 leader -1"}));
}

// A node paused across many ticks gets one tick at resume (Go's ticker
// buffers one), then ticks at its phase again.
TEST(RaftVotesEtcdTest, APausedNodeCountsOneTickAtResumeAndKeepsItsPhase)
{
  EtcdReplica r(1, 5);
  r.start();
  const Ticker ticker = *r.policy.ticker();
  r.tick();
  EXPECT_EQ(r.clock().elapsed(), 1);
  const Time due = r.next_tick;
  r.tick(0.75);  // fell due at `due`, fired at resume
  EXPECT_EQ(r.clock().elapsed(), 2) << "one missed tick, not eight";
  EXPECT_GT(r.next_tick, due + 0.75);
  EXPECT_NEAR(r.next_tick, ticker.next_after(due + 0.75), 1e-12);
  EXPECT_NEAR(std::remainder(r.next_tick - ticker.origin, kTick), 0.0, 1e-9) << "on its phase";
}

// A restarted process has a new ticker: a crash stops the old one.
TEST(RaftVotesEtcdTest, ACrashStopsTheTickerAndARecoveryDrawsANewPhase)
{
  EtcdReplica r(1, 6);
  r.start();
  const Time old_tick = r.next_tick;
  r.policy.crash();
  r.host.clock = old_tick;
  Ready stale;
  r.policy.on_timer(RaftVotes::kTickTimer, stale);
  EXPECT_TRUE(stale.empty()) << "the crashed process's ticker";
  r.host.clock = 5.0;
  Ready back;
  r.policy.recover(back);
  ASSERT_EQ(back.timers.size(), 1u);
  EXPECT_GT(back.timers[0].deadline, 5.0);
  EXPECT_LE(back.timers[0].deadline, 5.0 + kTick);
}

}  // namespace raft_votes_etcd_test
}  // namespace replisim
