// Per-operation metrics: nearest-rank percentiles, counters, ops.csv rows and
// the staleness of reads.
#include "experiments/core/op_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace replisim {
namespace op_metrics_test {

const char* const kHeader =
    "op_id,client,kind,key,unit,coordinator,primary,start_ms,end_ms,latency_ms,acks,outcome,version,stale,"
    "since_commit_ms,versions_behind,queued_ms,attempts,write_id,dirty\n";

std::vector<double> one_to_ten() { return {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; }

TEST(Percentile, NearestRankOfOneToTen)
{
  const auto sample = one_to_ten();
  EXPECT_EQ(percentile(sample, 50), 5.0);
  EXPECT_EQ(percentile(sample, 95), 10.0);
  EXPECT_EQ(percentile(sample, 99), 10.0);
  EXPECT_EQ(percentile(sample, 100), 10.0);
  EXPECT_EQ(percentile(sample, 10), 1.0);
  EXPECT_EQ(percentile(sample, 11), 2.0);
}

TEST(Percentile, ZerothIsTheSmallest)
{
  EXPECT_EQ(percentile(one_to_ten(), 0), 1.0);
}

TEST(Percentile, EmptySampleIsNaN)
{
  EXPECT_TRUE(std::isnan(percentile({}, 50)));
}

TEST(Percentile, SingleValueIsEveryPercentile)
{
  for (double p : {0.0, 1.0, 50.0, 99.9, 100.0})
    EXPECT_EQ(percentile({42}, p), 42.0) << "p" << p;
}

TEST(Percentile, MatchesIntegerNearestRankForEveryWholePercent)
{
  // Nearest rank: the smallest rank r with r / n >= p / 100, i.e. ceil(p·n / 100)
  // in integers, at least 1. Floating-point p / 100 · n must not round across an
  // integer (28 / 100.0 · 25 is 7.000000000000001 in doubles, giving rank 8).
  for (std::size_t n = 1; n <= 200; ++n) {
    std::vector<double> sample(n);
    for (std::size_t i = 0; i < n; ++i)
      sample[i] = static_cast<double>(i + 1);
    for (std::size_t p = 0; p <= 100; ++p) {
      const std::size_t rank = std::max<std::size_t>(1, (p * n + 99) / 100);
      ASSERT_EQ(percentile(sample, static_cast<double>(p)), static_cast<double>(rank)) << "n " << n << ", p" << p;
    }
  }
}

Completion write(OpId op, Key key, Version version, Time start, Time end, NodeId coordinator = 0,
                 NodeId primary = 0, Outcome outcome = Outcome::ok)
{
  Completion c;
  c.op = op;
  c.kind = OpKind::write;
  c.key = key;
  c.version = version;
  c.start = start;
  c.end = end;
  c.coordinator = coordinator;
  c.primary = primary;
  c.outcome = outcome;
  c.acks = outcome == Outcome::ok ? 2 : 0;
  return c;
}

Completion read(OpId op, Key key, Version version, Time start, Time end, Outcome outcome = Outcome::ok)
{
  Completion c;
  c.op = op;
  c.kind = OpKind::read;
  c.key = key;
  c.version = version;
  c.start = start;
  c.end = end;
  c.outcome = outcome;
  c.acks = outcome == Outcome::ok ? 1 : 0;
  return c;
}

// The ops.csv lines after the header.
std::vector<std::string> rows(const std::ostringstream& csv)
{
  std::istringstream in(csv.str());
  std::vector<std::string> lines;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line))
    lines.push_back(line);
  return lines;
}

TEST(OpMetrics, WritesTheHeaderOnConstruction)
{
  std::ostringstream csv;
  OpMetrics metrics(&csv);
  EXPECT_EQ(csv.str(), kHeader);
}

TEST(OpMetrics, WritesOneRowPerOperationExactly)
{
  std::ostringstream csv;
  OpMetrics metrics(&csv);
  Completion w = write(0, 7, 1, 0.001, 0.0035, 3, 3);
  w.client = 0;
  w.unit = 1;
  w.queued = 0.00025;
  metrics.record(w);
  Completion r = read(1, 7, 1, 0.005, 0.006);
  r.client = 1;
  r.unit = 1;
  r.coordinator = 4;
  r.primary = 3;
  metrics.record(r);
  EXPECT_EQ(csv.str(), std::string(kHeader) +
                           "0,0,write,7,1,3,3,1.000000,3.500000,2.500000,2,ok,1,,,,0.250000,1,0,\n"
                           "1,1,read,7,1,4,3,5.000000,6.000000,1.000000,1,ok,1,0,1.500000,0,0.000000,1,0,\n");
}

TEST(OpMetrics, FailedOperationsLeaveStaleAndSinceCommitEmpty)
{
  std::ostringstream csv;
  OpMetrics metrics(&csv);
  metrics.record(write(0, 1, 1, 0.0, 0.002, 0, 0, Outcome::timeout));
  metrics.record(read(1, 1, 0, 0.001, 0.003, Outcome::failed));
  EXPECT_EQ(rows(csv), (std::vector<std::string>{
                           "0,0,write,1,0,0,0,0.000000,2.000000,2.000000,0,timeout,1,,,,0.000000,1,0,",
                           "1,0,read,1,0,-1,-1,1.000000,3.000000,2.000000,0,failed,0,,,,0.000000,1,,",
                       }));
}

TEST(OpMetrics, WorksWithoutACsv)
{
  OpMetrics metrics(nullptr);
  metrics.record(write(0, 1, 1, 0.0, 0.001));
  EXPECT_EQ(metrics.writes_ok, 1u);
}

TEST(OpMetrics, CountsOutcomesByKind)
{
  OpMetrics metrics(nullptr);
  metrics.record(write(0, 1, 1, 0.0, 0.001));
  metrics.record(write(1, 1, 2, 0.0, 0.002, 0, 0, Outcome::failed));
  metrics.record(write(2, 1, 3, 0.0, 0.003, 0, 0, Outcome::timeout));
  metrics.record(read(3, 1, 1, 0.0, 0.004));
  metrics.record(read(4, 1, 1, 0.0, 0.005));
  metrics.record(read(5, 1, 0, 0.0, 0.006, Outcome::timeout));
  EXPECT_EQ(metrics.writes_ok, 1u);
  EXPECT_EQ(metrics.writes_failed, 1u);
  EXPECT_EQ(metrics.writes_timed_out, 1u);
  EXPECT_EQ(metrics.reads_ok, 2u);
  EXPECT_EQ(metrics.reads_failed, 1u);
  EXPECT_EQ(metrics.write_ms.size(), 1u);
  EXPECT_EQ(metrics.read_ms.size(), 2u);
}

TEST(OpMetrics, FinishSortsLatenciesOfOkOperations)
{
  OpMetrics metrics(nullptr);
  metrics.record(write(0, 1, 1, 0.000, 0.004));  // 4 ms
  metrics.record(write(1, 2, 1, 0.004, 0.005));  // 1 ms
  metrics.record(write(2, 3, 1, 0.003, 0.006));  // 3 ms
  metrics.finish();
  const std::vector<double> ms = metrics.write_ms.sorted();
  ASSERT_EQ(ms.size(), 3u);
  EXPECT_DOUBLE_EQ(ms[0], 1.0);
  EXPECT_DOUBLE_EQ(ms[1], 3.0);
  EXPECT_DOUBLE_EQ(ms[2], 4.0);
}

// Key 5: version 1 acked at 1 ms, version 2 written from 2 ms and acked at 4 ms.
class Staleness : public ::testing::Test {
protected:
  Staleness() : metrics(&csv)
  {
    metrics.record(write(0, 5, 1, 0.000, 0.001));
    metrics.record(write(1, 5, 2, 0.002, 0.004));
  }
  std::string last_row() const { return rows(csv).back(); }

  std::ostringstream csv;
  OpMetrics metrics;
};

TEST_F(Staleness, ReadStartedAfterTheAckThatMissesItIsStale)
{
  metrics.record(read(2, 5, 1, 0.0045, 0.006));
  EXPECT_EQ(metrics.stale_reads, 1u);
  // stale = 1, and the read began 0.5 ms after version 2 was acknowledged.
  EXPECT_EQ(last_row(), "2,0,read,5,0,-1,-1,4.500000,6.000000,1.500000,1,ok,1,1,0.500000,1,0.000000,1,0,");
}

TEST_F(Staleness, ReadStartedBeforeTheAckIsNotStale)
{
  // Concurrent with the write of version 2: either version is a correct answer.
  metrics.record(read(2, 5, 1, 0.003, 0.005));
  EXPECT_EQ(metrics.stale_reads, 0u);
  EXPECT_EQ(last_row(), "2,0,read,5,0,-1,-1,3.000000,5.000000,2.000000,1,ok,1,0,2.000000,0,0.000000,1,0,");
}

TEST_F(Staleness, ReadStartedAtTheAckInstantMustSeeTheWrite)
{
  metrics.record(read(2, 5, 1, 0.004, 0.005));
  EXPECT_EQ(metrics.stale_reads, 1u);
}

TEST_F(Staleness, ReadOfTheNewestVersionIsNotStale)
{
  metrics.record(read(2, 5, 2, 0.0045, 0.006));
  EXPECT_EQ(metrics.stale_reads, 0u);
  EXPECT_EQ(last_row(), "2,0,read,5,0,-1,-1,4.500000,6.000000,1.500000,1,ok,2,0,0.500000,0,0.000000,1,1,");
}

TEST_F(Staleness, OtherKeysAreIndependent)
{
  metrics.record(read(2, 6, 0, 0.0045, 0.006));
  EXPECT_EQ(metrics.stale_reads, 0u);
  // Key 6 was never acknowledged: not stale, and no commit to measure from.
  EXPECT_EQ(last_row(), "2,0,read,6,0,-1,-1,4.500000,6.000000,1.500000,1,ok,0,0,,,0.000000,1,,");
}

TEST_F(Staleness, FailedWritesDoNotRaiseTheBar)
{
  metrics.record(write(2, 5, 3, 0.004, 0.005, 0, 0, Outcome::failed));
  metrics.record(read(3, 5, 2, 0.0055, 0.007));
  EXPECT_EQ(metrics.stale_reads, 0u);
}

TEST(OpMetrics, StalenessComparesWithTheNewestAcknowledgedVersion)
{
  // Version 3 acked before version 2: a read after both must return 3.
  OpMetrics metrics(nullptr);
  metrics.record(write(0, 5, 3, 0.000, 0.001));
  metrics.record(write(1, 5, 2, 0.000, 0.002));
  metrics.record(read(2, 5, 2, 0.003, 0.004));
  EXPECT_EQ(metrics.stale_reads, 1u);
}

TEST(OpMetrics, SinceCommitCountsFromTheAckOfTheNewestVersion)
{
  // With last-writer-wins timestamps version 3 can be acked before version 2:
  // a read must see 3, and t counts from 3's acknowledgement (1 ms), not 2's.
  std::ostringstream csv;
  OpMetrics metrics(&csv);
  metrics.record(write(0, 5, 3, 0.000, 0.001));
  metrics.record(write(1, 5, 2, 0.000, 0.002));
  metrics.record(read(2, 5, 2, 0.003, 0.004));
  EXPECT_EQ(rows(csv).back(), "2,0,read,5,0,-1,-1,3.000000,4.000000,1.000000,1,ok,2,1,2.000000,1,0.000000,1,1,");
}

TEST(OpMetrics, VersionsBehindCountsNewerAcknowledgedVersions)
{
  OpMetrics metrics(nullptr);
  for (Version v = 1; v <= 5; ++v)
    metrics.record(write(v, 9, v, 0.0, 0.001 * static_cast<double>(v)));
  metrics.record(read(10, 9, 2, 0.0045, 0.006));  // versions 3 and 4 were acked before it began; 5 was not
  metrics.record(read(11, 9, 5, 0.0060, 0.007));
  EXPECT_EQ(metrics.stale_reads, 1u);
  EXPECT_EQ(metrics.stale_versions_behind, 2u);
  EXPECT_EQ(metrics.max_versions_behind, 2u);
}

TEST(OpMetrics, VisibilityBinsReadsByTimeSinceCommit)
{
  OpMetrics metrics(nullptr);
  metrics.record(write(0, 1, 1, 0.0, 0.001));
  metrics.record(read(1, 1, 0, 0.0013, 0.002));  // t = 0.3 ms, stale
  metrics.record(read(2, 1, 1, 0.0014, 0.002));  // t = 0.4 ms, consistent
  metrics.record(read(3, 1, 1, 0.0040, 0.005));  // t = 3 ms, consistent
  const std::string csv = metrics.visibility_csv();
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "t_lo_ms,t_hi_ms,reads,consistent_fraction");
  EXPECT_NE(csv.find("\n0,0.5,2,0.500000\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n2,5,1,1.000000\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n10000,inf,0,\n"), std::string::npos) << csv;
}

TEST(OpMetrics, CountsWritesLedByThePrimary)
{
  OpMetrics metrics(nullptr);
  metrics.record(write(0, 1, 1, 0.0, 0.001, /*coordinator=*/3, /*primary=*/3));
  metrics.record(write(1, 2, 1, 0.0, 0.002, /*coordinator=*/4, /*primary=*/3));
  metrics.record(write(2, 3, 1, 0.0, 0.003, /*coordinator=*/6, /*primary=*/6));
  // Failed writes are not counted, even when the primary led them.
  metrics.record(write(3, 4, 1, 0.0, 0.004, /*coordinator=*/6, /*primary=*/6, Outcome::failed));
  EXPECT_EQ(metrics.writes_led_by_primary, 2u);
  EXPECT_EQ(metrics.writes_ok, 3u);
}

// A write acknowledged (committed at its leader) before a read began, whose
// reply reaches its client only after the read has finished: the read is
// judged once that write is known, and still reported in the order the
// operations finished.
TEST(DeferredStaleness, AReadWaitsForWritesThatStartedBeforeIt)
{
  std::ostringstream csv;
  Time oldest = 0.5;  // the write, still outstanding
  OpMetrics metrics(&csv, [&oldest] { return oldest; });
  Completion w = write(0, 5, 1, 0.5, 3.0);
  w.committed = 1.0;
  metrics.record(read(1, 5, 0, 2.0, 2.5));
  EXPECT_EQ(rows(csv).size(), 0u) << "judged before the write was known";
  oldest = kNever;
  metrics.record(w);
  EXPECT_EQ(rows(csv), (std::vector<std::string>{
                           "1,0,read,5,0,-1,-1,2000.000000,2500.000000,500.000000,1,ok,0,1,1000.000000,1,0.000000,1,,",
                           "0,0,write,5,0,0,0,500.000000,3000.000000,2500.000000,2,ok,1,,,,0.000000,1,0,",
                       }));
  EXPECT_EQ(metrics.stale_reads, 1u);
}

// Replies overtake one another: the history of a key is kept in the order of
// its commits, not of the replies.
TEST(DeferredStaleness, CommitsArriveOutOfOrder)
{
  OpMetrics metrics(nullptr);
  Completion later = write(0, 5, 2, 0.0, 1.0);
  later.committed = 0.8;
  Completion earlier = write(1, 5, 1, 0.0, 2.0);
  earlier.committed = 0.4;
  metrics.record(later);
  metrics.record(earlier);
  metrics.record(read(2, 5, 1, 0.6, 2.5));  // after version 1's commit, before version 2's: not stale
  metrics.record(read(3, 5, 1, 0.9, 2.6));  // after both: stale
  EXPECT_EQ(metrics.stale_reads, 1u);
  metrics.finish();
  EXPECT_EQ(metrics.reads_ok, 2u);
}

// Write identities (issue: a read served by a deposed primary after the new
// one acknowledged a newer write of its key). The old primary, term 1, held
// version 2 of key 5 (op 1), which never committed; the new primary, term 2,
// whose log ends at version 1, wrote version 2 again (op 2) and acknowledged
// it at 3 ms. A read at the old primary from 4 ms returns op 1's version 2.
Completion at_term(Completion c, Term term)
{
  c.term = term;
  if (c.kind == OpKind::read)
    c.write = c.op == 3 ? OpId{1} : OpId{0};
  return c;
}

TEST(WriteIdentity, AReadOfADeposedPrimaryAfterTheNewOnesWriteIsStale)
{
  std::ostringstream csv;
  OpMetrics metrics(&csv);
  metrics.record(at_term(write(0, 5, 1, 0.000, 0.001), 1));
  metrics.record(at_term(write(2, 5, 2, 0.002, 0.003), 2));
  Completion r = at_term(read(3, 5, 2, 0.004, 0.005), 1);
  metrics.record(r);
  // By version alone (2 = 2) it looked fresh: the term says it is older.
  EXPECT_EQ(metrics.stale_reads, 1u);
  EXPECT_EQ(metrics.stale_versions_behind, 1u);
  EXPECT_EQ(rows(csv).back(), "3,0,read,5,0,-1,-1,4.000000,5.000000,1.000000,1,ok,2,1,1.000000,1,0.000000,1,1,");
}

TEST(WriteIdentity, AReadOfTheNewPrimarysWriteIsNotStale)
{
  OpMetrics metrics(nullptr);
  metrics.record(at_term(write(0, 5, 1, 0.000, 0.001), 1));
  metrics.record(at_term(write(2, 5, 2, 0.002, 0.003), 2));
  Completion r = read(4, 5, 2, 0.004, 0.005);
  r.term = 2;
  r.write = 2;
  metrics.record(r);
  EXPECT_EQ(metrics.stale_reads, 0u);
}

// A w:1 write acknowledged and later lost (op 1) is no bar: a read that
// returns the write before it is not stale, and one that returns the lost
// write is dirty. Judged after the run, once the losses are known.
TEST(WriteIdentity, LostWritesAreNoBarAndReadingThemIsDirty)
{
  std::ostringstream csv;
  OpMetrics metrics(&csv, [] { return kNever; });
  metrics.judge_after_run();
  metrics.count_dirty_reads();
  metrics.record(at_term(write(0, 5, 1, 0.000, 0.001), 1));
  metrics.record(at_term(write(1, 5, 2, 0.002, 0.003), 1));
  Completion older = at_term(read(2, 5, 1, 0.004, 0.005), 1);
  older.write = 0;
  metrics.record(older);
  Completion lost = at_term(read(3, 5, 2, 0.004, 0.005), 1);
  metrics.record(lost);
  EXPECT_EQ(rows(csv).size(), 2u) << "reads judged before the losses were known";
  metrics.finish({1});
  EXPECT_EQ(metrics.stale_reads, 0u);
  EXPECT_EQ(metrics.dirty_reads, 1u);
  EXPECT_EQ(rows(csv).size(), 4u);
  EXPECT_EQ(rows(csv)[2], "2,0,read,5,0,-1,-1,4.000000,5.000000,1.000000,1,ok,1,0,3.000000,0,0.000000,1,0,0");
  EXPECT_EQ(rows(csv)[3], "3,0,read,5,0,-1,-1,4.000000,5.000000,1.000000,1,ok,2,0,3.000000,0,0.000000,1,1,1");
}

TEST(WriteIdentity, WithoutLossesTheSameReadIsStale)
{
  OpMetrics metrics(nullptr, [] { return kNever; });
  metrics.judge_after_run();
  metrics.record(at_term(write(0, 5, 1, 0.000, 0.001), 1));
  metrics.record(at_term(write(1, 5, 2, 0.002, 0.003), 1));
  Completion older = at_term(read(2, 5, 1, 0.004, 0.005), 1);
  older.write = 0;
  metrics.record(older);
  metrics.finish();
  EXPECT_EQ(metrics.stale_reads, 1u);
}

TEST(WriteIdentity, AReadTheReplicaDidNotKnowCommittedIsDirty)
{
  OpMetrics metrics(nullptr);
  metrics.count_dirty_reads();
  Completion r = at_term(read(3, 5, 2, 0.004, 0.005), 1);
  r.uncommitted = true;
  metrics.record(r);
  metrics.record(at_term(read(4, 5, 2, 0.004, 0.005), 1));
  EXPECT_EQ(metrics.dirty_reads, 1u);
}

}  // namespace op_metrics_test
}  // namespace replisim
