// RaftVotes (protocols/leader_follower/raft_votes.hpp): leaders elected by
// Raft's votes, against a FakeHost, one decision at a time. The sentences
// quoted are from Ongaro and Ousterhout, "In Search of an Understandable
// Consensus Algorithm", USENIX ATC 2014. Whole elections over a network are
// in tests/protocols/election_test.cpp.
#include "protocols/leader_follower/raft_votes.hpp"

#include <gtest/gtest.h>

#include "support/fake_host.hpp"

namespace replisim {
namespace raft_votes_test {

using test::FakeHost;
using test::sent;
using Trace = std::vector<std::string>;

constexpr Time kLo = 0.150;
constexpr Time kHi = 0.300;

// Node `self` of a unit placed on nodes 0, 1 and 2 (node 0 its primary).
struct Replica {
  explicit Replica(NodeId id, FailoverConfig config = FailoverConfig::raft(kLo, kHi, 0.050, 1))
      : self(id), host(placement, id), policy(host, id, placement, WriteConcern::majority, config)
  {
    host.policy = &policy;
  }
  NodeId self;
  Placement placement = leader_follower_placement(3, 3);
  FakeHost host;
  RaftVotes policy;

  UnitState& unit() { return host.unit(0); }
  Ready start()
  {
    Ready out;
    policy.start(out);
    host.take_trace();
    return out;
  }
  // Lets the election timeout pass.
  Ready time_out()
  {
    host.clock = policy.election_deadline(0);
    Ready out;
    policy.on_timer(0, out);
    return out;
  }
  Ready deliver(Message m, NodeId from)
  {
    Ready out;
    policy.step({Address::node(from), Address::node(self), std::move(m)}, out);
    return out;
  }
};

TEST(RaftVotesTest, ThePrimaryLeadsTermOneFromTheStartAnnouncedByHeartbeats)
{
  Replica r(0);
  Ready out;
  r.policy.start(out);
  EXPECT_EQ(r.host.take_trace(), (Trace{"take_lead 0", "send_heartbeats 0"}));
  EXPECT_TRUE(out.timers.empty()) << "a leader has no election timer";
  EXPECT_EQ(r.policy.election_deadline(0), kNever);
}

// "Raft uses randomized election timeouts ... chosen randomly from a fixed interval (e.g., 150–300ms)."
TEST(RaftVotesTest, EveryFollowerArmsAnElectionTimerWithinTheTimeoutsBounds)
{
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Replica r(1, FailoverConfig::raft(kLo, kHi, 0.050, seed));
    const Ready out = r.start();
    ASSERT_EQ(out.timers.size(), 1u);
    EXPECT_EQ(out.timers[0].id, 0u) << "a unit's election timer is the unit's id";
    EXPECT_GE(out.timers[0].deadline, kLo);
    EXPECT_LE(out.timers[0].deadline, kHi);
    EXPECT_EQ(r.policy.election_deadline(0), out.timers[0].deadline);
  }
}

// "To begin an election, a follower increments its current term and
// transitions to candidate state. It then votes for itself and issues
// RequestVote RPCs in parallel to each of the other servers."
TEST(RaftVotesTest, AFollowerThatHearsNoLeaderForItsTimeoutStandsForTheNextTerm)
{
  Replica r(1);
  r.start();
  const Ready out = r.time_out();
  EXPECT_EQ(r.unit().vol.role, ReplicaRole::candidate);
  EXPECT_EQ(r.unit().durable.term, 2u);
  EXPECT_EQ(r.unit().durable.voted_for, 1);
  EXPECT_EQ(r.unit().vol.leader, kNoNode);
  EXPECT_EQ(out.persist, 1u) << "the term and the vote are durable";
  ASSERT_EQ(out.messages.size(), 2u);
  EXPECT_EQ(out.messages[0].to, Address::node(0));
  EXPECT_EQ(out.messages[1].to, Address::node(2));
  EXPECT_EQ(sent<RequestVote>(out)[0].term, 2u);
  ASSERT_EQ(r.host.events.size(), 1u);
  EXPECT_EQ(r.host.events[0].kind, RoleEvent::Kind::election_started);
  ASSERT_EQ(out.timers.size(), 1u) << "a new timeout, for a split vote";
  EXPECT_GE(out.timers[0].deadline, r.host.clock + kLo);
}

TEST(RaftVotesTest, ALeadersAppendMovesTheDeadlineWithoutArmingAnotherTimer)
{
  Replica r(1);
  const Time first = r.start().timers.at(0).deadline;
  r.host.clock = first - 0.01;
  Ready heard;
  r.policy.on_leader_heard(r.unit(), heard);
  EXPECT_TRUE(heard.timers.empty()) << "the armed timer fires first and re-arms";
  const Time moved = r.policy.election_deadline(0);
  EXPECT_GT(moved, first);

  r.host.clock = first;
  Ready early;
  r.policy.on_timer(0, early);
  EXPECT_EQ(r.unit().vol.role, ReplicaRole::follower);
  ASSERT_EQ(early.timers.size(), 1u);
  EXPECT_EQ(early.timers[0].deadline, moved);

  r.host.clock = first + 0.01;  // a firing older than the timer armed last
  Ready stale;
  r.policy.on_timer(0, stale);
  EXPECT_TRUE(stale.empty());
}

// "Each server will vote for at most one candidate in a given term, on a first-come-first-served basis."
TEST(RaftVotesTest, AVoterGrantsOneVotePerTermFirstComeFirstServed)
{
  Replica r(1);
  r.start();
  const Ready first = r.deliver(RequestVote{2, 0, 0, 0}, 2);
  EXPECT_EQ(r.host.take_trace(), (Trace{"become_follower 0 term 2 leader -1"}));
  EXPECT_TRUE(sent<Vote>(first).at(0).granted);
  EXPECT_EQ(r.unit().durable.voted_for, 2);
  EXPECT_FALSE(sent<Vote>(r.deliver(RequestVote{2, 0, 0, 0}, 0)).at(0).granted);
  EXPECT_TRUE(sent<Vote>(r.deliver(RequestVote{2, 0, 0, 0}, 2)).at(0).granted) << "the same candidate, again";
}

// §5.4.1: "the voter denies its vote if its own log is more up-to-date than that of the candidate."
TEST(RaftVotesTest, NoVoteForACandidateWhoseLogIsBehindAndNoNewDeadline)
{
  Replica r(1);
  r.start();
  r.unit().durable.log.push_back({1, 7, 1, 1});
  const Time deadline = r.policy.election_deadline(0);
  const Ready out = r.deliver(RequestVote{2, 0, 0, 0}, 2);
  EXPECT_FALSE(sent<Vote>(out).at(0).granted);
  EXPECT_EQ(r.unit().durable.term, 2u) << "the newer term is learnt all the same";
  EXPECT_EQ(r.policy.election_deadline(0), deadline) << "only a granted vote or a leader resets it";
}

// "A candidate wins an election if it receives votes from a majority of the
// servers in the full cluster for the same term."
TEST(RaftVotesTest, ACandidateWithAMajorityLeadsAndOpensItsTermWithANoOp)
{
  Replica r(1);
  r.start();
  r.time_out();
  r.host.take_trace();
  const Ready out = r.deliver(Vote{2, 0, true}, 2);
  EXPECT_EQ(r.host.take_trace(), (Trace{"take_lead 0", "start_writing 0"}));
  EXPECT_EQ(out.cancelled_timers, std::vector<TimerId>{0}) << "a leader has no election timer";
  EXPECT_EQ(r.policy.election_deadline(0), kNever);
}

TEST(RaftVotesTest, AMongoDbLeaderCatchesUpBeforeItWrites)
{
  Replica r(1, FailoverConfig::mongodb(1));
  r.start();
  r.time_out();
  r.deliver(PreVoteReply{2, 0, true}, 0);  // MongoDB's dry run first
  r.host.take_trace();
  r.deliver(Vote{2, 0, true}, 0);
  EXPECT_EQ(r.host.take_trace(), (Trace{"take_lead 0", "catch_up 0"}));
}

TEST(RaftVotesTest, VotesRefusedOrOfAnotherTermDoNotCount)
{
  Replica r(1);
  r.start();
  r.time_out();
  r.deliver(Vote{2, 0, false}, 2);
  r.deliver(Vote{1, 0, true}, 0);
  EXPECT_EQ(r.unit().vol.role, ReplicaRole::candidate);
  r.host.take_trace();
  r.deliver(Vote{3, 0, false}, 0);
  EXPECT_EQ(r.host.take_trace(), (Trace{"become_follower 0 term 3 leader -1"}));
}

TEST(RaftVotesTest, ACandidateWhoseTimeoutPassesAgainHasLostAndStandsForTheNextTerm)
{
  Replica r(1);
  r.start();
  r.time_out();
  r.time_out();
  EXPECT_EQ(r.unit().durable.term, 3u);
  ASSERT_EQ(r.host.events.size(), 3u);
  EXPECT_EQ(r.host.events[1].kind, RoleEvent::Kind::election_lost);
  EXPECT_EQ(r.host.events[1].term, 2u);
}

// §5.4.2: "Raft never commits log entries from previous terms by counting replicas."
TEST(RaftVotesTest, ALeaderCommitsAnEntryOfItsOwnTermOnceAMajorityHoldsIt)
{
  Replica r(0);
  UnitState& u = r.unit();
  u.durable.term = 2;
  u.durable.log.push_back({1, 7, 1, 1});
  u.durable.log.push_back({2, 0, 0, 0});
  auto& replicas = u.vol.lead->replicas;
  replicas[0].match = 2;
  replicas[1].match = 1;
  EXPECT_EQ(r.policy.commit_index(u), 0u) << "entry 1 is of term 1";
  replicas[1].match = 2;
  EXPECT_EQ(r.policy.commit_index(u), 2u);
}

TEST(RaftVotesTest, AWriteIsAcknowledgedByTheWriteConcernOnceCommitted)
{
  const Placement placement = leader_follower_placement(3, 3);
  FakeHost host(placement, 0);
  UnitState& u = host.unit(0);
  for (int i = 0; i < 5; ++i)
    u.durable.log.push_back({1, 7, static_cast<Version>(i + 1), 0});
  u.vol.commit = 3;
  u.vol.lead->replicas[0].match = 5;
  u.vol.lead->replicas[1].match = 2;
  u.vol.lead->replicas[2].match = 5;
  const auto config = FailoverConfig::raft(kLo, kHi, 0.05, 1);
  EXPECT_EQ(RaftVotes(host, 0, placement, WriteConcern::one, config).acknowledgeable(u), 5u);
  EXPECT_EQ(RaftVotes(host, 0, placement, WriteConcern::majority, config).acknowledgeable(u), 3u);
  EXPECT_EQ(RaftVotes(host, 0, placement, WriteConcern::all, config).acknowledgeable(u), 2u);
  u.vol.lead->replicas[1].in_sync = false;
  EXPECT_EQ(RaftVotes(host, 0, placement, WriteConcern::all, config).acknowledgeable(u), 3u);
}

// acks=all with Raft: the leader keeps the in-sync set itself (Kafka's replica.lag.time.max.ms).
TEST(RaftVotesTest, AFollowerSilentForTheLagLeavesTheInSyncSetAtTheNextHeartbeat)
{
  Replica r(0);
  r.unit().vol.lead->replicas[2].last_heard = 0.2;
  r.host.clock = kHi + 0.01;
  Ready out;
  r.policy.before_heartbeat(r.unit(), out);
  const auto& replicas = r.unit().vol.lead->replicas;
  EXPECT_TRUE(replicas[0].in_sync) << "the leader itself";
  EXPECT_FALSE(replicas[1].in_sync);
  EXPECT_TRUE(replicas[2].in_sync);
  EXPECT_EQ(r.host.take_trace(), Trace{"acknowledge_committed 0"}) << "writes waiting for it may be answered";
  r.policy.before_heartbeat(r.unit(), out);
  EXPECT_TRUE(r.host.take_trace().empty()) << "nothing shrank";
  EXPECT_EQ(r.policy.rejoin_index(r.unit()), r.unit().vol.commit);
}

TEST(RaftVotesTest, ACrashForgetsTheTimersAndRecoveryDrawsAFreshOne)
{
  Replica r(1);
  r.start();
  r.policy.crash();
  EXPECT_EQ(r.policy.election_deadline(0), kNever);
  r.host.clock = 5.0;
  Ready out;
  r.policy.recover(out);
  ASSERT_EQ(out.timers.size(), 1u);
  EXPECT_GE(out.timers[0].deadline, 5.0 + kLo);
  EXPECT_TRUE(r.policy.leaders_change());
}

TEST(RaftVotesTest, ARefusedClientIsSentToTheLeaderTheReplicaKnowsOf)
{
  Replica r(1);
  EXPECT_EQ(r.policy.redirect_to(r.unit()), 0);
  Ready out;
  r.policy.on_newer_term(r.unit(), 4, out);
  EXPECT_EQ(r.host.take_trace(), (Trace{"become_follower 0 term 4 leader -1"}));
  EXPECT_EQ(r.policy.redirect_to(r.unit()), kNoNode);
}


FailoverConfig with_pre_vote()
{
  FailoverConfig c = FailoverConfig::raft(kLo, kHi, 0.050, 1);
  c.pre_vote = true;
  return c;
}

FailoverConfig with_check_quorum()
{
  FailoverConfig c = FailoverConfig::raft(kLo, kHi, 0.050, 1);
  c.step_down = StepDown::check_quorum;
  return c;
}

// Raft thesis §9.6: "a candidate would first ask other servers whether its
// log was up-to-date enough to get their vote. Only if the candidate
// believed it could get votes from a majority of the cluster would it
// increment its term and start a normal election."
TEST(RaftVotesTest, WithPreVoteATimedOutFollowerAsksFirstWithoutRaisingItsTerm)
{
  Replica r(1, with_pre_vote());
  r.start();
  const Ready asked = r.time_out();
  EXPECT_EQ(r.unit().durable.term, 1u);
  EXPECT_EQ(r.unit().vol.role, ReplicaRole::follower);
  EXPECT_EQ(asked.persist, 0u) << "nothing durable changes";
  EXPECT_TRUE(r.host.events.empty()) << "no election yet";
  ASSERT_EQ(sent<PreVote>(asked).size(), 2u);
  EXPECT_EQ(sent<PreVote>(asked)[0].term, 2u);
  EXPECT_TRUE(sent<RequestVote>(asked).empty());

  const Ready refused = r.deliver(PreVoteReply{1, 0, false}, 0);
  EXPECT_TRUE(refused.messages.empty());
  const Ready stood = r.deliver(PreVoteReply{2, 0, true}, 2);  // with its own: a majority
  EXPECT_EQ(r.unit().durable.term, 2u);
  EXPECT_EQ(r.unit().vol.role, ReplicaRole::candidate);
  ASSERT_EQ(sent<RequestVote>(stood).size(), 2u);
  EXPECT_EQ(sent<RequestVote>(stood)[0].term, 2u);
}

TEST(RaftVotesTest, APreCandidateThatHearsNoMajorityAsksAgainAtTheSameTerm)
{
  Replica r(1, with_pre_vote());
  r.start();
  r.time_out();
  const Ready again = r.time_out();
  EXPECT_EQ(r.unit().durable.term, 1u);
  ASSERT_EQ(sent<PreVote>(again).size(), 2u);
  EXPECT_EQ(sent<PreVote>(again)[0].term, 2u);
  Ready heard;
  r.policy.on_leader_heard(r.unit(), heard);  // its leader's append, after all
  const Ready late = r.deliver(PreVoteReply{2, 0, true}, 2);
  EXPECT_EQ(r.unit().durable.term, 1u) << "a leader heard ends the pre-vote";
  EXPECT_TRUE(late.messages.empty());
}

// The voter's side: answered as the vote would be, but no term or vote
// changes; refused while the voter heard from a leader within the shortest
// election timeout, so a node that rejoins disturbs no healthy leader.
TEST(RaftVotesTest, AVoterRefusesAPreVoteWhileItHeardFromALeaderLately)
{
  Replica r(2, with_pre_vote());
  r.start();
  r.host.clock = 1.0;
  Ready heard;
  r.policy.on_leader_heard(r.unit(), heard);
  r.host.clock = 1.0 + kLo - 0.001;
  const Ready lease = r.deliver(PreVote{2, 0, 0, 0}, 1);
  EXPECT_FALSE(sent<PreVoteReply>(lease).at(0).granted);
  EXPECT_EQ(sent<PreVoteReply>(lease).at(0).term, 1u) << "its own term";
  r.host.clock = 1.0 + kLo + 0.001;
  const Ready free = r.deliver(PreVote{2, 0, 0, 0}, 1);
  EXPECT_TRUE(sent<PreVoteReply>(free).at(0).granted);
  EXPECT_EQ(sent<PreVoteReply>(free).at(0).term, 2u) << "the term asked";
  EXPECT_EQ(r.unit().durable.term, 1u);
  EXPECT_EQ(r.unit().durable.voted_for, 0) << "its vote of term 1 stands";
  EXPECT_EQ(free.persist, 0u);
}

TEST(RaftVotesTest, AVoterRefusesAPreVoteWhenItsLogIsMoreUpToDateOrItLeads)
{
  Replica r(2, with_pre_vote());
  r.start();
  r.unit().durable.log.push_back({1, 7, 1, 1});
  r.host.clock = 1.0;
  EXPECT_FALSE(sent<PreVoteReply>(r.deliver(PreVote{2, 0, 0, 0}, 1)).at(0).granted);
  EXPECT_TRUE(sent<PreVoteReply>(r.deliver(PreVote{2, 0, 1, 1}, 1)).at(0).granted);
  Replica leader(0, with_pre_vote());
  leader.start();
  leader.host.clock = 1.0;
  EXPECT_FALSE(sent<PreVoteReply>(leader.deliver(PreVote{2, 0, 0, 0}, 1)).at(0).granted);
}

// etcd's CheckQuorum: every election timeout the leader counts the replicas
// heard from since the last check, itself included, and steps down without
// a majority.
TEST(RaftVotesTest, WithCheckQuorumALeaderThatHeardNoMajorityForAnElectionTimeoutStepsDown)
{
  Replica r(0, with_check_quorum());
  r.start();
  r.host.clock = kLo - 0.001;
  Ready early;
  r.policy.before_heartbeat(r.unit(), early);
  EXPECT_EQ(r.unit().vol.role, ReplicaRole::leader) << "not checked before an election timeout";
  r.unit().vol.lead->replicas[2].last_heard = 0.1;  // node 2 answered
  r.host.clock = kLo;
  Ready kept;
  r.policy.before_heartbeat(r.unit(), kept);
  EXPECT_EQ(r.unit().vol.role, ReplicaRole::leader) << "itself and node 2: a majority";
  r.host.take_trace();
  r.host.clock = 2 * kLo;
  Ready lost;
  r.policy.before_heartbeat(r.unit(), lost);
  EXPECT_EQ(r.host.take_trace(), (Trace{"become_follower 0 term 1 leader -1"})) << "nobody since the last check";
  EXPECT_EQ(r.unit().vol.role, ReplicaRole::follower);
  EXPECT_GE(r.policy.election_deadline(0), 2 * kLo + kLo) << "it may stand again, after a timeout";
}

TEST(RaftVotesTest, WithoutCheckQuorumALeaderLeadsOnAlone)
{
  Replica r(0);
  r.start();
  r.host.clock = 10.0;
  Ready out;
  r.policy.before_heartbeat(r.unit(), out);
  EXPECT_EQ(r.unit().vol.role, ReplicaRole::leader);
}

// etcd's lease with CheckQuorum ("inLease"): a follower that heard from its
// leader within the election timeout ignores a vote request, its term too.
TEST(RaftVotesTest, WithCheckQuorumAFollowerInItsLeaseIgnoresVoteRequests)
{
  Replica r(1, with_check_quorum());
  r.start();
  r.host.clock = 0.5;
  Ready heard;
  r.policy.on_leader_heard(r.unit(), heard);
  r.host.clock = 0.5 + kLo - 0.001;
  const Ready ignored = r.deliver(RequestVote{5, 0, 0, 0}, 2);
  EXPECT_TRUE(ignored.messages.empty());
  EXPECT_EQ(r.unit().durable.term, 1u);
  r.host.clock = 0.5 + kLo + 0.001;
  const Ready granted = r.deliver(RequestVote{5, 0, 0, 0}, 2);
  EXPECT_TRUE(sent<Vote>(granted).at(0).granted);
  EXPECT_EQ(r.unit().durable.term, 5u);
}

// MongoDB: a member whose heartbeats have not answered for
// electionTimeoutMillis (10 s) is down; a primary that sees fewer than a
// majority up steps down, checked at each heartbeat. No lease for votes.
TEST(RaftVotesTest, AMongoDbPrimaryStepsDownOnceAMajorityIsSilentForTheElectionTimeout)
{
  Replica r(0, FailoverConfig::mongodb(1));
  r.start();
  r.host.clock = 10.0;
  Ready at_limit;
  r.policy.before_heartbeat(r.unit(), at_limit);
  EXPECT_EQ(r.unit().vol.role, ReplicaRole::leader) << "heard 10 s ago: not yet down";
  r.host.clock = 12.0;
  r.unit().vol.lead->replicas[1].last_heard = 2.5;
  Ready one_up;
  r.policy.before_heartbeat(r.unit(), one_up);
  EXPECT_EQ(r.unit().vol.role, ReplicaRole::leader) << "node 1 is up: with itself, a majority";
  r.host.clock = 12.6;
  Ready none_up;
  r.policy.before_heartbeat(r.unit(), none_up);
  EXPECT_EQ(r.unit().vol.role, ReplicaRole::follower);

  Replica voter(1, FailoverConfig::mongodb(1));
  voter.start();
  voter.host.clock = 1.0;
  Ready heard;
  voter.policy.on_leader_heard(voter.unit(), heard);
  EXPECT_TRUE(sent<Vote>(voter.deliver(RequestVote{2, 0, 0, 0}, 2)).at(0).granted) << "no lease for votes";
}

}  // namespace raft_votes_test
}  // namespace replisim
