// Last-writer-wins under clock skew (issue 18): each leader stamps its writes
// with its own clock, so of two concurrent writes the one whose leader's
// clock is ahead wins, whichever was written last in true time; the other is
// lost, acknowledged or not.
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "protocols/leaderless/leaderless.hpp"  // lww_version
#include "protocols/multi_leader/multi_leader.hpp"
#include "support/datacenters.hpp"
#include "support/leader_zones.hpp"

namespace replisim {
namespace multi_leader_clock_skew_test {

using namespace test;

// Two datacenters, one leader each: leader 0 (node 0, zone A) with its clock
// 5 ms ahead, leader 1 (node 1, zone B) with a perfect clock.
MultiLeaderConfig skewed() { return MultiLeaderConfig{.clock_offset = {0.005, 0.0}}; }

std::set<std::tuple<Key, int, std::uint64_t>> lost_ids(Datacenters& dc)
{
  std::set<std::tuple<Key, int, std::uint64_t>> out;
  for (const AcceptedWrite& w : lost_updates(dc))
    out.emplace(w.key, w.leader, w.counter);
  return out;
}

TEST(MultiLeaderClockSkewTest, TheLeaderWhoseClockIsAheadWinsConcurrentWritesWithinTheSkew)
{
  Datacenters dc(zones(2, 0), skewed());
  // Key 9: A at t = 1.000 s (stamp 1.005 s), B 3 ms later (stamp 1.003 s):
  // B's write is later in true time, and lost.
  dc.write_at(1.000, 0, 1, 9);
  dc.write_at(1.003, 1, 2, 9);
  // Key 7: A at 1.010 s (stamp 1.015 s), B 6 ms later (stamp 1.016 s):
  // past the skew, true order wins and A's write is lost.
  dc.write_at(1.010, 0, 3, 7);
  dc.write_at(1.016, 1, 4, 7);
  // Key 5: B at 1.020 s (stamp 1.020 s), A 1 ms later (stamp 1.026 s): A wins,
  // as it would with perfect clocks.
  dc.write_at(1.020, 1, 5, 5);
  dc.write_at(1.021, 0, 6, 5);
  dc.net.deliver_all();
  expect_converged(dc);

  EXPECT_EQ(dc.replies(0).at(0).version, lww_version(1.005, 0));
  EXPECT_EQ(dc.replies(1).at(0).version, lww_version(1.003, 1));
  EXPECT_EQ(record(dc.leader(1), 9).version, lww_version(1.005, 0));
  EXPECT_EQ(record(dc.leader(0), 7).version, lww_version(1.016, 1));
  EXPECT_EQ(record(dc.leader(0), 5).version, lww_version(1.026, 0));
  using Ids = std::set<std::tuple<Key, int, std::uint64_t>>;
  EXPECT_EQ(lost_ids(dc), (Ids{{9, 1, 1}, {7, 0, 1}, {5, 1, 1}}));
}

TEST(MultiLeaderClockSkewTest, WithPerfectClocksTheLaterWriteInTrueTimeWins)
{
  Datacenters dc(zones(2, 0));
  dc.write_at(1.000, 0, 1, 9);
  dc.write_at(1.003, 1, 2, 9);
  dc.net.deliver_all();
  EXPECT_EQ(record(dc.leader(0), 9).version, lww_version(1.003, 1));
  using Ids = std::set<std::tuple<Key, int, std::uint64_t>>;
  EXPECT_EQ(lost_ids(dc), (Ids{{9, 0, 1}}));
}

TEST(MultiLeaderClockSkewTest, AClockBehindTrueTimeStillStampsAfterWhatItSaw)
{
  Datacenters dc(zones(2, 0), MultiLeaderConfig{.clock_offset = {0.0, -0.5}});
  dc.write_at(1.000, 0, 1, 9);
  dc.net.deliver_all();  // leader 1 holds A's write, stamped 1.000 s
  dc.write_at(1.001, 1, 2, 9);  // its clock reads 0.501 s: the stamp goes past what it saw
  dc.net.deliver_all();
  const Version one_ns = lww_version(1e-9, 0);
  EXPECT_EQ(record(dc.leader(0), 9).version, (lww_version(1.000, 0) / one_ns + 1) * one_ns + 1);
  EXPECT_TRUE(lost_updates(dc).empty());  // it followed A's write: nothing lost
  // And a clock behind the epoch reads 0, not a wrapped-around stamp.
  Datacenters early(zones(2, 0), MultiLeaderConfig{.clock_offset = {-1.0, 0.0}});
  early.write_at(0.5, 0, 1, 9);
  early.net.deliver_all();
  EXPECT_EQ(early.replies(0).at(0).version, one_ns);
}

}  // namespace multi_leader_clock_skew_test
}  // namespace replisim
