// Leader elections of LeaderFollowerNode (failover on) over the fake network,
// each test against the sentence of the Raft paper (Ongaro and Ousterhout,
// "In Search of an Understandable Consensus Algorithm", USENIX ATC 2014) it
// checks; Raft's safety properties are checked after every input a node
// handles (support/election_cluster.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "support/election_cluster.hpp"
#include "protocols/kafka/kafka_assignment.hpp"

namespace replisim {
namespace election_test {

using test::ElectionCluster;
using test::is;
using Kind = RoleEvent::Kind;

constexpr Time kLo = 0.150;
constexpr Time kHi = 0.300;
constexpr Time kBeat = 0.050;
constexpr Time kTick = 0.001;

FailoverConfig raft(std::uint64_t seed = 1) { return FailoverConfig::raft(kLo, kHi, kBeat, seed); }

// Like run_for, noting when each node last received a heartbeat.
void run_noting_heartbeats(ElectionCluster& c, Time duration, std::vector<Time>& last)
{
  const Time end = c.net.now() + duration;
  while (c.net.now() < end) {
    const std::size_t before = c.net.delivered().size();
    c.net.deliver_all();
    for (std::size_t i = before; i < c.net.delivered().size(); ++i)
      if (const Envelope& e = c.net.delivered()[i]; std::holds_alternative<Heartbeat>(e.message))
        last.at(static_cast<std::size_t>(e.to.index)) = c.net.now();
    c.net.advance_to(c.net.now() + kTick);
  }
}

TEST(ElectionTest, WithoutAFailoverConfigThereIsNoTimerNoHeartbeatAndNoElection)
{
  ElectionCluster c(leader_follower_placement(3, 3), WriteConcern::majority, FailoverConfig::none());
  c.start();
  EXPECT_EQ(c.net.timers_pending(), 0u);
  EXPECT_TRUE(c.net.in_flight().empty());
  c.write(1, 5, 0);
  c.run_for(60.0, 1.0);
  EXPECT_EQ(c.net.timers_pending(), 0u);
  for (const Envelope& e : c.net.delivered())
    EXPECT_TRUE((std::holds_alternative<ClientWrite>(e.message) || std::holds_alternative<Replicate>(e.message) ||
                 std::holds_alternative<ReplicateAck>(e.message) || std::holds_alternative<WriteReply>(e.message)))
        << "message kind " << e.message.index();
  EXPECT_TRUE(c.events.empty());
  for (NodeId n = 0; n < 3; ++n) {
    EXPECT_EQ(c.node(n).term_of(0), 1u);
    EXPECT_EQ(c.node(n).leader_of(0), 0);
    EXPECT_EQ(c.node(n).election_deadline(0), kNever);
  }
  // A crash without failover changes no role: the primary comes back leading.
  c.crash(0);
  c.recover(0);
  EXPECT_EQ(c.net.timers_pending(), 0u);
  EXPECT_EQ(c.node(0).role_of(0), ReplicaRole::leader);
  c.write(2, 5, 0);
  c.run_for(1.0, 1.0);
  ASSERT_EQ(c.replies().size(), 2u);
  EXPECT_TRUE(c.replies()[1].ok);
}

// §5.2: "Leaders send periodic heartbeats (AppendEntries RPCs that carry no
// log entries) to all followers in order to maintain their authority."
TEST(ElectionTest, HeartbeatsKeepFollowersFromStandingWhileTheLeaderLives)
{
  ElectionCluster c(leader_follower_placement(3, 3), WriteConcern::majority, raft());
  c.start();
  ASSERT_EQ(c.events_of(Kind::became_leader).size(), 1u);  // the primary leads term 1 from the start
  EXPECT_EQ(c.events_of(Kind::became_leader)[0].node, 0);
  c.run_for(20 * kHi, kTick);
  EXPECT_TRUE(c.events_of(Kind::election_started).empty());
  for (NodeId n = 0; n < 3; ++n) {
    EXPECT_EQ(c.node(n).term_of(0), 1u);
    EXPECT_EQ(c.node(n).leader_of(0), 0);
  }
  // One election timer per follower and the leader's heartbeat timer: a
  // follower's timer is re-armed when it fires early, not set per heartbeat
  // (a moved deadline leaves at most one superseded timer behind).
  EXPECT_LE(c.net.timers_pending(), 3u + 2u);
  const auto beats = c.net.received<Heartbeat>(Address::node(1)).size();
  EXPECT_NEAR(static_cast<double>(beats), 20 * kHi / kBeat, 1.0);
  EXPECT_EQ(c.violation(), "");
}

// One Heartbeat per (leader node, follower node) pair and interval, covering
// every unit the pair shares.
TEST(ElectionTest, HeartbeatsAreBatchedPerPairOfNodes)
{
  const Placement placement = kafka_placement(4, 8, 3, 0);
  ElectionCluster c(placement, WriteConcern::all, raft());
  c.start();
  c.run_for(1.0, kTick);
  for (NodeId leader = 0; leader < 4; ++leader)
    for (NodeId follower = 0; follower < 4; ++follower) {
      std::set<UnitId> shared;
      for (UnitId u = 0; u < placement.unit_count(); ++u)
        if (placement.primary(u) == leader && placement.is_replica(u, follower) && follower != leader)
          shared.insert(u);
      std::size_t beats = 0;
      for (const Envelope& e : c.net.delivered()) {
        const auto* h = std::get_if<Heartbeat>(&e.message);
        if (h == nullptr || e.from != Address::node(leader) || e.to != Address::node(follower))
          continue;
        ++beats;
        std::set<UnitId> units;
        for (const EmptyAppend& a : h->appends)
          units.insert(a.unit);
        EXPECT_EQ(units, shared) << leader << " -> " << follower;
      }
      EXPECT_NEAR(static_cast<double>(beats), shared.empty() ? 0.0 : 1.0 / kBeat + 1, 1.0) << leader << " -> " << follower;
    }
  EXPECT_TRUE(c.events_of(Kind::election_started).empty());
}

// §5.2: "If a follower receives no communication over a period of time called
// the election timeout, then it assumes there is no viable leader and begins
// an election"; "A candidate wins an election if it receives votes from a
// majority of the servers in the full cluster for the same term."
TEST(ElectionTest, AFollowerTimesOutWithinItsRangeAndWinsTermTwo)
{
  ElectionCluster c(leader_follower_placement(3, 3), WriteConcern::majority, raft());
  c.start();
  std::vector<Time> last_beat(3, -1);
  run_noting_heartbeats(c, 0.5, last_beat);
  c.crash(0);
  ASSERT_TRUE(c.run_until(Kind::became_leader, 2, 5.0, kTick));

  const auto started = c.events_of(Kind::election_started);
  ASSERT_FALSE(started.empty());
  EXPECT_EQ(started[0].term, 2u);
  const Time silent = started[0].at - last_beat.at(static_cast<std::size_t>(started[0].node));
  EXPECT_GE(silent, kLo - 1e-9);
  EXPECT_LE(silent, kHi + 1e-9);
  const auto elected = c.events_of(Kind::became_leader);
  ASSERT_EQ(elected.size(), 2u);
  const NodeId winner = elected[1].node;
  EXPECT_EQ(winner, started[0].node);
  EXPECT_EQ(elected[1].term, 2u);
  EXPECT_LE(elected[1].at - started[0].at, kTick);  // the votes came back at the next delivery
  const NodeId other = winner == 1 ? 2 : 1;
  EXPECT_EQ(c.node(other).voted_for(0), winner);
  EXPECT_EQ(c.node(other).leader_of(0), winner);

  // The old follower refuses a write and names the new leader; the new leader takes it.
  c.write(10, 5, other);
  c.write(11, 5, winner);
  c.run_for(0.01, kTick);
  const auto replies = c.replies();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_FALSE(replies[0].ok);
  EXPECT_EQ(replies[0].leader, winner);
  EXPECT_TRUE(replies[1].ok);
  EXPECT_EQ(replies[1].acks, 2);
  EXPECT_EQ(c.violation(), "");
}

// §5.2: "Raft uses randomized election timeouts ... chosen randomly from a
// fixed interval"; drawn again at every reset, from a seeded stream per node.
TEST(ElectionTest, TheElectionTimeoutIsRedrawnInItsRangeAtEveryReset)
{
  const Placement placement = leader_follower_placement(3, 3);
  const auto timeouts = [&](NodeId self, std::uint64_t seed) {
    LeaderFollowerNode follower(self, placement, WriteConcern::majority, 1, raft(seed));
    std::vector<Time> drawn;
    for (int k = 0; k < 40; ++k) {
      const Time t = 0.05 * k;
      follower.step({Address::node(0), Address::node(self), Heartbeat{{EmptyAppend{1, 0, 0, 0, 0}}}}, t);
      drawn.push_back(follower.election_deadline(0) - t);
    }
    return drawn;
  };
  const auto a = timeouts(1, 7);
  for (Time d : a) {
    EXPECT_GE(d, kLo);
    EXPECT_LE(d, kHi);
  }
  EXPECT_EQ(std::set<Time>(a.begin(), a.end()).size(), a.size());
  EXPECT_GT(*std::max_element(a.begin(), a.end()) - *std::min_element(a.begin(), a.end()), (kHi - kLo) / 2);
  EXPECT_EQ(timeouts(1, 7), a);  // seeded
  EXPECT_NE(timeouts(1, 8), a);
  EXPECT_NE(timeouts(2, 7), a);  // each node has its own stream
}

Vote vote_of(const Ready& ready)
{
  EXPECT_EQ(ready.messages.size(), 1u);
  return std::get<Vote>(ready.messages.at(0).message);
}

// §5.2: "Each server will vote for at most one candidate in a given term, on
// a first-come-first-served basis"; §5.4.1: "the voter denies its vote if its
// own log is more up-to-date than that of the candidate."
TEST(ElectionTest, AVoterGrantsOneVotePerTermAndOnlyToAnUpToDateLog)
{
  ElectionCluster c(leader_follower_placement(3, 3), WriteConcern::majority, raft());
  c.start();
  c.write(1, 5, 0);
  c.run_for(0.01, kTick);  // node 1's log: one entry of term 1
  LeaderFollowerNode& voter = c.node(1);
  const auto ask = [&](NodeId candidate, Term term, LogIndex last_index, Term last_term) {
    return vote_of(voter.step({Address::node(candidate), Address::node(1), RequestVote{term, 0, last_index, last_term}}, 1.0));
  };
  Vote v = ask(2, 2, 0, 0);  // shorter log
  EXPECT_FALSE(v.granted);
  EXPECT_EQ(v.term, 2u);  // the higher term is taken all the same (§5.1)
  EXPECT_EQ(voter.voted_for(0), kNoNode);
  EXPECT_TRUE(ask(2, 2, 1, 1).granted);  // as up to date
  EXPECT_EQ(voter.voted_for(0), 2);
  EXPECT_FALSE(ask(0, 2, 9, 1).granted);  // more up to date, but the vote of term 2 is cast
  EXPECT_TRUE(ask(2, 2, 1, 1).granted);   // the same candidate asking again
  EXPECT_FALSE(ask(0, 3, 7, 0).granted);  // longer, but its last term is older
  EXPECT_FALSE(ask(0, 1, 5, 1).granted);  // a stale term
  EXPECT_TRUE(ask(0, 3, 1, 2).granted);   // a later last term beats a longer log
  EXPECT_EQ(voter.term_of(0), 3u);
}

// Figure 2, "Persistent state on all servers (updated on stable storage before
// responding to RPCs): currentTerm, votedFor, log[]".
TEST(ElectionTest, TermVoteAndLogSurviveACrashAndTheNodeComesBackAFollower)
{
  ElectionCluster c(leader_follower_placement(3, 3), WriteConcern::majority, raft());
  c.start();
  c.write(1, 5, 0);
  c.run_for(0.01, kTick);
  LeaderFollowerNode& n1 = c.node(1);
  const Ready granted = n1.step({Address::node(2), Address::node(1), RequestVote{2, 0, 1, 1}}, 0.02);
  ASSERT_TRUE(vote_of(granted).granted);
  EXPECT_GE(granted.persist, 1u);  // the vote is made durable before the answer leaves

  n1.crash(0.03);
  EXPECT_EQ(n1.leader_of(0), kNoNode);
  const Ready back = n1.recover(0.5);
  EXPECT_TRUE(back.messages.empty());
  ASSERT_EQ(back.timers.size(), 1u);
  EXPECT_GE(back.timers[0].deadline, 0.5 + kLo);
  EXPECT_LE(back.timers[0].deadline, 0.5 + kHi);
  EXPECT_EQ(n1.role_of(0), ReplicaRole::follower);
  EXPECT_EQ(n1.term_of(0), 2u);
  EXPECT_EQ(n1.voted_for(0), 2);
  EXPECT_EQ(n1.log_of(0).last_index(), 1u);
  EXPECT_EQ(n1.version_of(5), 1u);
  EXPECT_FALSE(vote_of(n1.step({Address::node(0), Address::node(1), RequestVote{2, 0, 1, 1}}, 0.6)).granted);

  // A leader's crash loses its pending writes: their clients hear nothing and time out.
  c.net.drop(is<Replicate>(Address::node(2)));
  c.net.drop(is<Replicate>(Address::node(1)));
  c.write(2, 6, 0);
  c.net.deliver_all();
  c.node(0).crash(0.7);
  EXPECT_EQ(c.node(0).role_of(0), ReplicaRole::follower);
  EXPECT_EQ(c.node(0).log_of(0).last_index(), 2u);
  EXPECT_EQ(c.replies().size(), 1u);
}

// §5.1: "If a server receives a request with a stale term number, it rejects
// the request", and "If a candidate or leader discovers that its term is out
// of date, it immediately reverts to follower state."
TEST(ElectionTest, AStaleTermAppendIsRefusedWithTheNewerTermWhichDeposesItsSender)
{
  ElectionCluster c(leader_follower_placement(3, 3), WriteConcern::majority, raft());
  c.start();
  LeaderFollowerNode& follower = c.node(1);
  ASSERT_TRUE(vote_of(follower.step({Address::node(2), Address::node(1), RequestVote{4, 0, 0, 0}}, 0.01)).granted);
  const Ready refusal = follower.step({Address::node(0), Address::node(1), Replicate{1, 0, 1, 7, 1, 0, 0, 3}}, 0.02);
  ASSERT_EQ(refusal.messages.size(), 1u);
  const auto ack = std::get<ReplicateAck>(refusal.messages[0].message);
  EXPECT_FALSE(ack.success);
  EXPECT_EQ(ack.term, 4u);
  EXPECT_TRUE(follower.log_of(0).empty());

  LeaderFollowerNode& leader = c.node(0);
  (void)leader.take_role_events();
  leader.step({Address::node(1), Address::node(0), ack}, 0.03);
  EXPECT_EQ(leader.role_of(0), ReplicaRole::follower);
  EXPECT_EQ(leader.term_of(0), 4u);
  const auto events = leader.take_role_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::stopped_leading);
  EXPECT_EQ(events[0].term, 1u);
}

// §5.4.1: "Raft uses the voting process to prevent a candidate from winning an
// election unless its log contains all committed entries."
TEST(ElectionTest, ACandidateWithAShorterLogCannotWin)
{
  // Node 2 times out first, node 1 (which holds the writes) much later.
  const auto config_of = [](NodeId n) {
    return n == 2 ? FailoverConfig::raft(0.15, 0.15, kBeat, 1) : FailoverConfig::raft(0.40, 0.40, kBeat, 1);
  };
  ElectionCluster c(leader_follower_placement(3, 3), WriteConcern::majority, config_of);
  c.start();
  c.run_for(0.1, kTick);
  c.net.isolate(Address::node(2));
  for (OpId op = 1; op <= 3; ++op)
    c.write(op, op, 0);
  c.net.deliver_all();
  c.net.recover(Address::node(2));
  ASSERT_EQ(c.replies().size(), 3u);  // acknowledged by nodes 0 and 1
  c.crash(0);

  ASSERT_TRUE(c.run_until(Kind::became_leader, 2, 2.0, kTick));
  c.run_for(0.5, kTick);
  const auto elected = c.events_of(Kind::became_leader);
  ASSERT_EQ(elected.size(), 2u);
  EXPECT_EQ(elected[1].node, 1);
  const auto stood = c.events_of(Kind::election_started);
  ASSERT_FALSE(stood.empty());
  EXPECT_EQ(stood[0].node, 2);  // node 2 stood first, and more than once, in vain
  EXPECT_GE(std::count_if(c.events.begin(), c.events.end(),
                          [](const RoleEvent& e) { return e.kind == Kind::election_lost && e.node == 2; }),
            1);
  for (OpId op = 1; op <= 3; ++op)
    EXPECT_EQ(c.node(2).version_of(op), 1u) << "node 2 caught up from the new leader";
  EXPECT_EQ(c.violation(), "");
}

// §5.2: split votes. "Without extra measures split votes could repeat
// indefinitely"; randomized timeouts make them rare. With equal timeouts the
// four followers of a crashed leader all stand at once, each votes for
// itself, and every round splits.
int trials_with_a_split_vote(Time lo, Time hi, int trials, int& elected)
{
  int split = 0;
  elected = 0;
  for (int seed = 1; seed <= trials; ++seed) {
    ElectionCluster c(leader_follower_placement(5, 5), WriteConcern::majority,
                      FailoverConfig::raft(lo, hi, kBeat, static_cast<std::uint64_t>(seed)));
    c.start();
    c.run_for(0.2, 0.002);
    c.crash(0);
    const Time end = c.net.now() + 10 * hi;
    while (c.events_of(Kind::became_leader).size() < 2 && c.net.now() < end) {
      c.net.deliver_all();
      c.net.advance_to(c.net.now() + 0.002);  // candidates whose timers fire within 2 ms stand together
    }
    split += c.events_of(Kind::election_lost).empty() ? 0 : 1;
    elected += c.events_of(Kind::became_leader).size() == 2 ? 1 : 0;
    EXPECT_EQ(c.violation(), "");
  }
  return split;
}

TEST(ElectionTest, IdenticalTimeoutsSplitEveryVoteRandomisedOnesRarely)
{
  int elected = 0;
  EXPECT_EQ(trials_with_a_split_vote(0.150, 0.150, 10, elected), 10);
  EXPECT_EQ(elected, 0);  // ten rounds, ten splits, every time

  ElectionCluster c(leader_follower_placement(5, 5), WriteConcern::majority, FailoverConfig::raft(0.15, 0.15, kBeat, 1));
  c.start();
  c.run_for(0.2, 0.002);
  c.crash(0);
  c.run_for(10 * 0.15 + 0.01, 0.002);
  EXPECT_EQ(c.events_of(Kind::election_started).size(), 4u * 10);
  EXPECT_EQ(c.events_of(Kind::election_lost).size(), 4u * 9);
  std::set<NodeId> stood;
  for (const RoleEvent& e : c.events_of(Kind::election_started))
    stood.insert(e.node);
  EXPECT_EQ(stood.size(), 4u);

  const int split = trials_with_a_split_vote(0.150, 0.300, 200, elected);
  RecordProperty("randomised_trials_with_a_lost_candidacy", split);
  EXPECT_EQ(elected, 200);
  EXPECT_LT(split, 200 / 10) << split << " of 200 elections split";
}

}  // namespace election_test
}  // namespace replisim
