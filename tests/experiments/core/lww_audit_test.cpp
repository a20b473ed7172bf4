// lww_lost_writes: which acknowledged writes last-writer-wins discarded,
// from explicit stamps and times (no simulation).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

#include "experiments/core/models/lww_audit.hpp"

namespace replisim {
namespace lww_audit_test {

// Client c's n-th write of `key`, issued at `start`, acknowledged at `end`,
// stamped `stamp` (its client's clock: the larger wins).
AckedWrite write(Key key, ClientId c, OpId n, Time start, Time end, Version stamp)
{
  return {key, stamp, c, n * 2 + static_cast<OpId>(c), start, end};
}

std::uint64_t lost(const std::vector<AckedWrite>& writes, std::map<Key, Version> final_versions)
{
  return lww_lost_writes(writes, [&](Key k) { return final_versions[k]; });
}

// One client writing a key again and again: each write follows the ones
// before in session order; the last holds the key.
TEST(LwwLostWrites, OneClientLosesNothing)
{
  std::vector<AckedWrite> w;
  for (int n = 0; n < 5; ++n)
    w.push_back(write(7, 0, static_cast<OpId>(n), n * 1.0, n * 1.0 + 0.5, 100u + static_cast<Version>(n)));
  EXPECT_EQ(lost(w, {{7, 104}}), 0u);
}

// Two clients taking turns, each write issued after the other's was
// acknowledged, clocks in step: the last write holds the key, nothing lost.
TEST(LwwLostWrites, WritesWellApartLoseNothing)
{
  std::vector<AckedWrite> w;
  for (int n = 0; n < 6; ++n)
    w.push_back(write(1, n % 2, static_cast<OpId>(n), n * 1.0, n * 1.0 + 0.5, 100u + static_cast<Version>(n)));
  EXPECT_EQ(lost(w, {{1, 105}}), 0u);
}

// Client 0's clock is ahead: its write at t = 0 is stamped 500. Client 1
// writes at t = 1, 2 and 3 (after it was acknowledged) with stamps 200,
// 300, 400: all three are acknowledged and all three are lost, the key
// keeping client 0's older value.
TEST(LwwLostWrites, ALaterWriteStampedLowerIsLost)
{
  std::vector<AckedWrite> w = {write(1, 0, 0, 0.0, 0.5, 500), write(1, 1, 0, 1.0, 1.5, 200),
                               write(1, 1, 1, 2.0, 2.5, 300), write(1, 1, 2, 3.0, 3.5, 400)};
  EXPECT_EQ(lost(w, {{1, 500}}), 3u);
  // Had client 1's clock been ahead, its last write would hold the key and
  // every earlier write would have been followed by it.
  w[3].version = 600;
  EXPECT_EQ(lost(w, {{1, 600}}), 0u);
}

// Two writes overlapping in real time: neither followed the other, the one
// stamped lower is lost, whichever was issued first.
TEST(LwwLostWrites, OfTwoConcurrentWritesTheLowerStampIsLost)
{
  const std::vector<AckedWrite> w = {write(3, 0, 0, 0.0, 2.0, 10), write(3, 1, 0, 1.0, 3.0, 20)};
  EXPECT_EQ(lost(w, {{3, 20}}), 1u);
  EXPECT_EQ(lost(w, {{3, 10}}), 1u);
}

// Transitively: client 0 issues A (acknowledged at 5) then A2 (acknowledged
// at 2); client 1 issues H at 3, after A2's acknowledgement, so H follows
// A2, which follows A in session order: H holding the key loses neither.
// Without A2, H overlaps A in real time and A is lost.
TEST(LwwLostWrites, FollowingIsTransitiveThroughTheWritersSession)
{
  const AckedWrite a = write(1, 0, 0, 0.0, 5.0, 10);
  const AckedWrite a2 = write(1, 0, 1, 1.0, 2.0, 11);
  const AckedWrite h = write(1, 1, 0, 3.0, 4.0, 5);
  EXPECT_EQ(lost({a, a2, h}, {{1, 5}}), 0u);
  EXPECT_EQ(lost({a, h}, {{1, 5}}), 1u);
}

// A write of the holder's client issued before the holder is followed by it
// (session order), even when the holder is stamped lower; a write of that
// client issued after the holder and overlapping nothing is lost.
TEST(LwwLostWrites, SessionOrderIsTheClientsIssueOrder)
{
  const std::vector<AckedWrite> w = {write(1, 0, 0, 0.0, 1.0, 50), write(1, 0, 1, 2.0, 3.0, 40),
                                     write(1, 0, 2, 4.0, 5.0, 30)};
  EXPECT_EQ(lost(w, {{1, 40}}), 1u);  // the third
}

// Two concurrent writes stamped alike are one version to the replicas:
// the higher client's holds the key and the other is lost; issued after
// the first was acknowledged, the second followed it and nothing is lost.
TEST(LwwLostWrites, OfTwoWritesStampedAlikeTheHigherClientsHolds)
{
  EXPECT_EQ(lost({write(1, 0, 0, 0.0, 2.0, 10), write(1, 1, 0, 0.0, 2.0, 10)}, {{1, 10}}), 1u);
  EXPECT_EQ(lost({write(1, 1, 0, 0.0, 2.0, 10), write(1, 0, 0, 3.0, 4.0, 10)}, {{1, 10}}), 1u);
  EXPECT_EQ(lost({write(1, 0, 0, 0.0, 2.0, 10), write(1, 1, 0, 3.0, 4.0, 10)}, {{1, 10}}), 0u);
}

// Keys are judged apart, and a key whose final version is no acknowledged
// write's (a write its client saw fail, or never written) is not judged.
TEST(LwwLostWrites, KeysApartAndUnplacedHoldersNotJudged)
{
  const std::vector<AckedWrite> w = {write(1, 0, 0, 0.0, 2.0, 10), write(1, 1, 0, 1.0, 3.0, 20),
                                     write(2, 0, 1, 0.0, 2.0, 30), write(2, 1, 1, 1.0, 3.0, 40),
                                     write(4, 0, 2, 5.0, 6.0, 50)};
  EXPECT_EQ(lost(w, {{1, 20}, {2, 30}, {4, 99}}), 2u);
  EXPECT_EQ(lost(w, {{1, 20}, {2, 30}, {4, 0}}), 2u);
}

// Past its buffer the audit keeps the writes in a temporary file, in chunks
// by bucket of keys, and judges bucket by bucket: the count is the one of all
// writes judged at once. Three buffers' worth of overlapping writes on 1,000
// keys from 16 clients whose stamps disagree with real time, a few far ahead.
TEST(LwwAudit, WritesSpilledToATemporaryFileAreJudgedAsIfInMemory)
{
  std::mt19937_64 draw(7);
  std::vector<AckedWrite> all;
  LwwAudit audit;
  std::map<Key, Version> final_versions;
  const std::size_t count = 3 * LwwAudit::kBuffer + 123;
  for (std::size_t i = 0; i < count; ++i) {
    Completion c;
    c.kind = OpKind::write;
    c.outcome = Outcome::ok;
    c.client = static_cast<ClientId>(draw() % 16);
    c.op = i;
    c.key = draw() % 1000;
    c.start = static_cast<Time>(i) * 1e-4;
    c.end = c.start + static_cast<Time>(draw() % 50) * 1e-4;
    c.version = 1000000 + i + draw() % 40;  // stamps off by up to 40 writes,
    if (draw() % 200 == 0)
      c.version += 1000000000;  // and a clock far ahead: the writes after it on its key are lost
    all.push_back({c.key, c.version, c.client, c.op, c.start, c.end});
    audit.completed(c);
    final_versions[c.key] = std::max(final_versions[c.key], c.version);
  }
  const auto final_version = [&](Key k) { return final_versions.at(k); };
  const std::uint64_t expected = lww_lost_writes(all, final_version);
  EXPECT_GT(expected, 1000u);  // a test that could not tell a bucket's loss
  EXPECT_EQ(audit.take_lost(final_version), expected);
}

}  // namespace lww_audit_test
}  // namespace replisim
