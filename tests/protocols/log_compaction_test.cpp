// Log compaction (protocols/raft_log.*): a log that discarded a prefix
// answers every question on absolute indexes as the whole log did.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "protocols/raft_log.hpp"

namespace replisim {
namespace {

// A log whose entries have these terms; entry i writes key i with version 1.
Log log_of_terms(const std::vector<Term>& terms)
{
  Log log;
  for (std::size_t i = 0; i < terms.size(); ++i)
    log.push_back({terms[i], static_cast<Key>(i + 1), 1, static_cast<OpId>(i + 1)});
  return log;
}

TEST(LogCompactionTest, ACompactedLogKeepsItsAbsoluteIndexesAndTheTermsOfWhatItDiscarded)
{
  Log log = log_of_terms({1, 1, 2, 2, 2, 3, 3});
  log.compact(4);
  EXPECT_EQ(log.compacted(), 4u);
  EXPECT_EQ(log.first_index(), 5u);
  EXPECT_EQ(log.last_index(), 7u);
  EXPECT_EQ(log.kept(), 3u);
  EXPECT_EQ(log.at(5).key, 5u);
  EXPECT_EQ(log.at(7).key, 7u);
  EXPECT_THROW(log.at(4), std::out_of_range);  // discarded
  EXPECT_THROW(log.at(8), std::out_of_range);
  const std::vector<Term> terms{0, 1, 1, 2, 2, 2, 3, 3, 0};
  for (LogIndex i = 0; i < terms.size(); ++i)
    EXPECT_EQ(log.term_at(i), terms[i]) << "index " << i;
  EXPECT_EQ(last_term(log), 3u);

  // §5.3's check, on either side of the compaction point.
  EXPECT_TRUE(log_matches(log, 0, 0));
  EXPECT_TRUE(log_matches(log, 2, 1));
  EXPECT_FALSE(log_matches(log, 2, 2));
  EXPECT_TRUE(log_matches(log, 4, 2));
  EXPECT_FALSE(log_matches(log, 4, 1));
  EXPECT_TRUE(log_matches(log, 7, 3));
  EXPECT_FALSE(log_matches(log, 8, 3));

  // The hint skips the conflicting term's whole run, into the discarded prefix.
  EXPECT_EQ(rejection_hint(log, 9), 7u);
  EXPECT_EQ(rejection_hint(log, 7), 5u);
  EXPECT_EQ(rejection_hint(log, 5), 2u);  // term 2 starts at index 3, discarded
  EXPECT_EQ(rejection_hint(log, 4), 2u);
  EXPECT_EQ(rejection_hint(log, 2), 0u);

  // Truncation of kept entries as before; of a discarded (committed) one, an error.
  EXPECT_TRUE(truncate_from(log, 9).empty());
  EXPECT_THROW(truncate_from(log, 4), std::logic_error);
  EXPECT_EQ(truncate_from(log, 6), (std::vector<Key>{6, 7}));
  EXPECT_EQ(log.last_index(), 5u);
  EXPECT_EQ(log.term_at(5), 2u);
  EXPECT_EQ(rejection_hint(log, 5), 2u);
  log.push_back({4, 9, 1, 9});
  EXPECT_EQ(log.term_at(6), 4u);
  EXPECT_EQ(rejection_hint(log, 6), 5u);
}

// Every answer of a compacted log, at every compaction point, is the whole log's.
TEST(LogCompactionTest, EveryCompactionPointAnswersAsTheWholeLog)
{
  const std::vector<Term> terms{1, 1, 1, 2, 3, 3, 5, 5, 5, 5, 6};
  const Log whole = log_of_terms(terms);
  for (LogIndex c = 0; c <= terms.size() + 1; ++c) {
    Log log = whole;
    log.compact(c);
    EXPECT_EQ(log.compacted(), std::min<LogIndex>(c, terms.size()));
    EXPECT_EQ(last_index(log), last_index(whole));
    EXPECT_EQ(last_term(log), last_term(whole));
    for (LogIndex i = 0; i <= terms.size() + 1; ++i) {
      EXPECT_EQ(term_at(log, i), term_at(whole, i)) << "compacted " << c << " index " << i;
      EXPECT_EQ(rejection_hint(log, i + 1), rejection_hint(whole, i + 1)) << "compacted " << c << " index " << i;
      for (Term t = 0; t <= 7; ++t)
        EXPECT_EQ(log_matches(log, i, t), log_matches(whole, i, t)) << "compacted " << c << " index " << i;
    }
    EXPECT_EQ(leader_commit({11, 9, 2}, log, 5, 0), leader_commit({11, 9, 2}, whole, 5, 0));
    EXPECT_EQ(leader_commit({11, 11, 2}, log, 6, 0), 11u);
  }
}

TEST(LogCompactionTest, CompactionNeverGoesBackNorPastTheEnd)
{
  Log log = log_of_terms({1, 1, 1});
  log.compact(2);
  log.compact(1);  // behind: nothing
  EXPECT_EQ(log.compacted(), 2u);
  log.compact(10);  // clamped to the last index
  EXPECT_EQ(log.compacted(), 3u);
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(last_index(log), 3u);
  EXPECT_EQ(last_term(log), 1u);  // the §5.4.1 up-to-date check still knows it
  log.push_back({2, 4, 1, 4});
  EXPECT_EQ(log.at(4).key, 4u);
  EXPECT_EQ(log.term_at(3), 1u);
}

// A sliding window over a long log: the storage keeps no more than it must
// (the dead prefix is erased once it is half the storage), and the terms of
// every discarded entry are still known.
TEST(LogCompactionTest, ASlidingWindowKeepsOnlyTheWindow)
{
  Log log;
  for (LogIndex i = 1; i <= 10'000; ++i) {
    log.push_back({1 + i / 1000, i, 1, i});
    log.compact(i > 3 ? i - 3 : 0);
    ASSERT_LE(log.kept(), 3u);
  }
  EXPECT_EQ(log.compacted(), 9'997u);
  EXPECT_EQ(log.at(10'000).key, 10'000u);
  for (LogIndex i = 1; i <= 10'000; ++i)
    ASSERT_EQ(log.term_at(i), 1 + i / 1000) << "index " << i;
  EXPECT_EQ(rejection_hint(log, 2500), 1999u);
}

// Every replica holds it and it is committed: the lowest match, no further than the commit.
TEST(LogCompactionTest, AUnitCompactsWhatEveryReplicaHoldsAndIsCommitted)
{
  EXPECT_EQ(compactable({9, 7, 8}, 9), 7u);
  EXPECT_EQ(compactable({9, 9, 9}, 6), 6u);
  EXPECT_EQ(compactable({9, 0, 9}, 9), 0u);  // one replica holds nothing
}

}  // namespace
}  // namespace replisim
