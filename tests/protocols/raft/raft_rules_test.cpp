// The pure rules elections are built from (protocols/raft/election.*,
// protocols/raft/raft_log.*), each against the sentence of the Raft paper
// (Ongaro and Ousterhout, USENIX ATC 2014) it implements; the failover
// presets; and how the new messages travel.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "protocols/raft/election.hpp"
#include "protocols/common/messages.hpp"
#include "protocols/raft/raft_log.hpp"
#include "protocols/common/write_concern.hpp"
#include "support/log_of_terms.hpp"

namespace replisim {
namespace raft_rules_test {

using test::log_of_terms;

TEST(RaftRulesTest, FailoverIsOffUnlessConfigured)
{
  const FailoverConfig none;
  EXPECT_FALSE(none.enabled);
  EXPECT_FALSE(FailoverConfig::none().enabled);
  EXPECT_NO_THROW(validate(none));
}

TEST(RaftRulesTest, RaftPresetTakesItsTimesAndLeavesTheInSyncSetAfterTheLongestTimeout)
{
  const FailoverConfig c = FailoverConfig::raft(0.15, 0.3, 0.05, 9);
  EXPECT_TRUE(c.enabled);
  EXPECT_EQ(c.election_timeout_min, 0.15);
  EXPECT_EQ(c.election_timeout_max, 0.3);
  EXPECT_EQ(c.heartbeat_interval, 0.05);
  EXPECT_EQ(c.seed, 9u);
  EXPECT_FALSE(c.catch_up);
  EXPECT_EQ(c.replica_lag_max, 0.3);
  EXPECT_THROW(FailoverConfig::raft(0.3, 0.15, 0.05, 1), std::invalid_argument);
  EXPECT_THROW(FailoverConfig::raft(0, 0.15, 0.05, 1), std::invalid_argument);
  EXPECT_THROW(FailoverConfig::raft(0.15, 0.3, 0, 1), std::invalid_argument);
}

// MongoDB: heartbeatIntervalMillis 2000, electionTimeoutMillis 10000 "plus up
// to 15 % random jitter", catch-up before the new primary writes.
TEST(RaftRulesTest, MongoDbPresetHasReplicaSetDefaults)
{
  const FailoverConfig c = FailoverConfig::mongodb(4);
  EXPECT_TRUE(c.enabled);
  EXPECT_EQ(c.heartbeat_interval, 2.0);
  EXPECT_EQ(c.election_timeout_min, 10.0);
  EXPECT_EQ(c.election_timeout_max, 11.5);
  EXPECT_TRUE(c.catch_up);
  EXPECT_EQ(c.replica_lag_max, kNever);  // w:all waits for every member
  EXPECT_EQ(c.seed, 4u);
  EXPECT_NO_THROW(validate(c));
}

TEST(RaftRulesTest, AMajorityIsWhatWriteConcernMajorityNeeds)
{
  for (int n = 1; n <= 7; ++n)
    EXPECT_EQ(majority(n), acks_needed(WriteConcern::majority, n)) << n;
}

// §5.2: timeouts "chosen randomly from a fixed interval".
TEST(RaftRulesTest, ElectionTimeoutsAreUniformInTheirRange)
{
  Rng rng(11);
  constexpr int kDraws = 20'000;
  double sum = 0;
  double lo = 1;
  double hi = 0;
  for (int i = 0; i < kDraws; ++i) {
    const Time t = draw_election_timeout(rng, 0.15, 0.30);
    sum += t;
    lo = std::min(lo, t);
    hi = std::max(hi, t);
  }
  EXPECT_GE(lo, 0.15);
  EXPECT_LT(lo, 0.151);
  EXPECT_LE(hi, 0.30);
  EXPECT_GT(hi, 0.299);
  EXPECT_NEAR(sum / kDraws, 0.225, 5 * 0.15 / std::sqrt(12.0 * kDraws));  // five standard errors
  EXPECT_EQ(draw_election_timeout(rng, 0.2, 0.2), 0.2);
}

// §5.4.1: "If the logs have last entries with different terms, then the log
// with the later term is more up-to-date. If the logs end with the same term,
// then whichever log is longer is more up-to-date."
TEST(RaftRulesTest, UpToDateComparesLastTermsThenLengths)
{
  EXPECT_TRUE(candidate_up_to_date(3, 1, 2, 9));
  EXPECT_FALSE(candidate_up_to_date(2, 9, 3, 1));
  EXPECT_TRUE(candidate_up_to_date(2, 5, 2, 5));
  EXPECT_TRUE(candidate_up_to_date(2, 6, 2, 5));
  EXPECT_FALSE(candidate_up_to_date(2, 4, 2, 5));
  EXPECT_TRUE(candidate_up_to_date(0, 0, 0, 0));
}

// §5.2: "Each server will vote for at most one candidate in a given term, on a
// first-come-first-served basis."
TEST(RaftRulesTest, OneVotePerTermFirstComeFirstServed)
{
  EXPECT_TRUE(grants_vote(kNoNode, 2, true));
  EXPECT_TRUE(grants_vote(2, 2, true));
  EXPECT_FALSE(grants_vote(1, 2, true));
  EXPECT_FALSE(grants_vote(kNoNode, 2, false));
  VoteTally tally(5);
  tally.grant(0);
  tally.grant(3);
  EXPECT_FALSE(tally.won());
  tally.grant(3);  // the same voter twice counts once
  EXPECT_EQ(tally.count(), 2);
  tally.grant(4);
  EXPECT_TRUE(tally.won());
  EXPECT_FALSE(VoteTally{}.won());
}

// §5.3: "If a follower does not find an entry in its log with the same index
// and term, then it refuses the new entries."
TEST(RaftRulesTest, AnAppendMatchesOnlyAnEntryOfTheSameIndexAndTerm)
{
  const Log log = log_of_terms({1, 1, 2});
  EXPECT_TRUE(log_matches(log, 0, 0));  // the empty prefix
  EXPECT_TRUE(log_matches(log, 3, 2));
  EXPECT_FALSE(log_matches(log, 3, 1));
  EXPECT_FALSE(log_matches(log, 4, 2));  // past its end
  EXPECT_EQ(term_at(log, 0), 0u);
  EXPECT_EQ(term_at(log, 2), 1u);
  EXPECT_EQ(term_at(log, 9), 0u);
  EXPECT_EQ(last_term(log), 2u);
  EXPECT_EQ(last_term(Log{}), 0u);
}

// §5.3: "the follower can include the term of the conflicting entry and the
// first index it stores for that term. With this information, the leader can
// decrement nextIndex to bypass all of the conflicting entries in that term."
TEST(RaftRulesTest, ARefusalHintsPastTheWholeConflictingTerm)
{
  const Log log = log_of_terms({1, 1, 2, 2, 2, 3});
  EXPECT_EQ(rejection_hint(log, 9), 6u);  // past the end: resume after its last entry
  EXPECT_EQ(rejection_hint(log, 5), 2u);  // index 5 is of term 2, which starts at 3
  EXPECT_EQ(rejection_hint(log, 6), 5u);
  EXPECT_EQ(rejection_hint(log, 2), 0u);
}

// §5.3: "If an existing entry conflicts with a new one (same index but
// different terms), delete the existing entry and all that follow it."
TEST(RaftRulesTest, TruncationErasesTheSuffixAndNamesTheKeysItWrote)
{
  Log log = log_of_terms({1, 1, 2, 2});
  log.push_back({2, 2, 2, 9});  // key 2 again, version 2
  log.push_back({2, 0, 0, 0});  // a no-op writes no key
  EXPECT_EQ(latest_version(log, 2), 2u);
  EXPECT_EQ(truncate_from(log, 4), (std::vector<Key>{4, 2}));
  EXPECT_EQ(log.last_index(), 3u);
  EXPECT_EQ(latest_version(log, 2), 1u);
  EXPECT_EQ(latest_version(log, 4), 0u);
  EXPECT_TRUE(truncate_from(log, 7).empty());
  EXPECT_EQ(log.last_index(), 3u);
}

// §5.4.2, Figure 8: S1 leads term 4 with log [1, 2, 4]; the entry of term 2
// is on a majority (S1, S2, S3) but "Raft never commits log entries from
// previous terms by counting replicas"; once the term-4 entry is on a
// majority, both commit.
TEST(RaftRulesTest, ALeaderCommitsByCountingOnlyEntriesOfItsOwnTerm)
{
  const Log log = log_of_terms({1, 2, 4});
  EXPECT_EQ(leader_commit({3, 2, 2, 1, 1}, log, 4, 1), 1u);
  EXPECT_EQ(leader_commit({3, 3, 3, 1, 1}, log, 4, 1), 3u);
  EXPECT_EQ(leader_commit({3, 3, 1, 1, 1}, log, 4, 1), 1u);  // not a majority yet
  EXPECT_EQ(leader_commit({3, 3, 3, 3, 3}, log, 4, 3), 3u);  // never backwards
}

// Heartbeats and votes travel as writes and acks (their cost and delay laws),
// but are on no write's path.
TEST(RaftRulesTest, ElectionMessagesTravelAsWritesAndAcksOffTheWritePath)
{
  EXPECT_EQ(kind_of(RequestVote{}), MessageKind::write);
  EXPECT_EQ(kind_of(Heartbeat{}), MessageKind::write);
  EXPECT_EQ(kind_of(Vote{}), MessageKind::ack);
  EXPECT_EQ(kind_of(HeartbeatReply{}), MessageKind::ack);
  for (const Message& m : {Message{RequestVote{}}, Message{Vote{}}, Message{Heartbeat{}}, Message{HeartbeatReply{}}}) {
    EXPECT_FALSE(is_write_path(m));
    EXPECT_EQ(values_in(m), 0u);
  }
  EXPECT_TRUE(is_write_path(Replicate{}));
  EXPECT_TRUE(is_write_path(ReplicateAck{}));
  EXPECT_EQ(values_in(Replicate{.version = 3}), 1u);
  EXPECT_EQ(values_in(Replicate{.version = 0}), 0u);  // a no-op carries no value
}

}  // namespace raft_rules_test
}  // namespace replisim
