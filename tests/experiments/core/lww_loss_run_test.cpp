// lost_updates for leaderless in whole runs: clients stamp their writes
// (--clock-skew), and an acknowledged write stamped lower than the write
// that finally holds its key, which did not follow it, is lost. Each run is
// checked against ops.csv: every write's client, times and stamp. One
// simulation per test: one engine per process.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "experiments/core/experiment.hpp"
#include "experiments/core/report.hpp"
#include "protocols/leaderless/leaderless.hpp"
#include "support/scratch.hpp"

namespace replisim {
namespace lww_loss_run_test {

struct Write {
  ClientId client;
  OpId op;
  double start_ms, end_ms;
  Version version;
};

// The acknowledged writes of ops.csv, by key.
std::map<Key, std::vector<Write>> acked_writes(const std::string& out)
{
  std::ifstream ops(out + "/ops.csv");
  std::string line;
  std::getline(ops, line);
  std::map<Key, std::vector<Write>> writes;
  while (std::getline(ops, line)) {
    std::vector<std::string> f;
    std::stringstream s(line);
    for (std::string x; std::getline(s, x, ',');)
      f.push_back(x);
    if (f.at(2) != "write" || f.at(11) != "ok")
      continue;
    writes[std::stoull(f.at(3))].push_back(
        {static_cast<ClientId>(std::stoi(f.at(1))), std::stoull(f.at(0)), std::stod(f.at(7)), std::stod(f.at(8)),
         std::stoull(f.at(12))});
  }
  return writes;
}

// Closed loop, one operation outstanding per client: a write followed W
// when W's client issued it later, or it was issued after W's
// acknowledgement (no chain can do more: a client's next write starts after
// its previous one ended). The holder is the acknowledged write with the
// highest stamp, which the replicas must hold.
std::uint64_t expected_lost(const Experiment& e, const std::map<Key, std::vector<Write>>& writes)
{
  std::uint64_t lost = 0;
  for (const auto& [key, ws] : writes) {
    // Of writes stamped alike, the higher client's holds the key.
    const Write& h = *std::max_element(ws.begin(), ws.end(), [](const Write& a, const Write& b) {
      return std::tie(a.version, a.client, a.op) < std::tie(b.version, b.client, b.op);
    });
    Version held = 0;
    for (NodeId n : e.placement().replicas(e.placement().unit_of(key)))
      held = std::max(held, static_cast<const LeaderlessNode&>(*e.nodes().at(n)).version_of(key));
    EXPECT_EQ(held, h.version) << "key " << key;
    for (const Write& w : ws)
      if (&w != &h && !(w.client == h.client && h.op > w.op) && !(h.start_ms > w.end_ms))
        ++lost;
  }
  return lost;
}

// Two clients writing one key in turn-less closed loop on a 1 ms star.
RunConfig one_key(const std::string& skew)
{
  RunConfig c;
  c.model = "leaderless";
  c.nodes = 3;
  c.rf = 3;
  c.clients = 2;
  c.ops = 400;
  c.keys = 1;
  c.read_ratio = 0;
  c.latency = "1ms";
  c.set("consistency", "ONE");
  if (!skew.empty())
    c.set("clock-skew", skew);
  c.out = test::scratch_out();
  return c;
}

// Perfect clocks: coordinators stamp on arrival, so a write issued after
// another was acknowledged is stamped higher and only the end of the run
// loses. The star is symmetric and the clients go in lockstep: their last
// writes are issued at one instant and stamped alike at one coordinator
// (client 1's holds the key), and client 0's write before was acknowledged
// at the instant client 1's last was issued, which is overlap, not order:
// two lost.
TEST(LeaderlessLostUpdatesRun, WithoutSkewOnlyTheLastTurnLoses)
{
  RunConfig c = one_key("");
  Experiment e(c);
  e.run();
  const auto writes = acked_writes(c.out);
  ASSERT_EQ(writes.at(0).size(), 400u);
  EXPECT_EQ(expected_lost(e, writes), 2u);
  EXPECT_EQ(summary_value(e.summary(), "lost_updates"), "2");
}

// Both clients 1 s ahead: the same as perfect clocks, apart from who
// stamps (the client at issue, not the coordinator at arrival).
TEST(LeaderlessLostUpdatesRun, EqualSkewsLoseLikePerfectClocks)
{
  RunConfig c = one_key("const:1s");
  Experiment e(c);
  e.run();
  EXPECT_EQ(expected_lost(e, acked_writes(c.out)), 2u);
  EXPECT_EQ(summary_value(e.summary(), "lost_updates"), "2");
}

// Eight clients writing 100 keys, 4,000 writes in 4 s, QUORUM: with
// perfect clocks only writes that overlap a key's last write in real time
// are lost (6); with clocks up to 200 ms apart, a key's last write from a
// client ahead also beats the writes of clients behind issued after it (but
// within the gap), each acknowledged: 32 lost. (Ahead, behind: the
// clients' offsets drawn from the seed.)
RunConfig hundred_keys(const std::string& skew)
{
  RunConfig c = one_key(skew);
  c.nodes = 5;
  c.clients = 8;
  c.keys = 100;
  c.ops = 4000;
  c.set("consistency", "QUORUM");
  return c;
}

TEST(LeaderlessLostUpdatesRun, PerfectClocksLoseOnlyOverlappingWrites)
{
  RunConfig c = hundred_keys("");
  Experiment e(c);
  e.run();
  EXPECT_EQ(expected_lost(e, acked_writes(c.out)), 6u);
  EXPECT_EQ(summary_value(e.summary(), "lost_updates"), "6");
}

TEST(LeaderlessLostUpdatesRun, AClientBehindLosesTheWritesItStampsBelowAnother)
{
  RunConfig c = hundred_keys("uniform:-100ms:100ms");
  Experiment e(c);
  e.run();
  EXPECT_EQ(expected_lost(e, acked_writes(c.out)), 32u);
  EXPECT_EQ(summary_value(e.summary(), "lost_updates"), "32");
}

// One client per key: each write follows the client's earlier ones, and its
// own clock, however far off, stamps them in issue order: nothing lost.
TEST(LeaderlessLostUpdatesRun, OneClientPerKeyLosesNothing)
{
  RunConfig c = one_key("uniform:-5ms:5ms");
  c.clients = 1;
  Experiment e(c);
  e.run();
  EXPECT_EQ(expected_lost(e, acked_writes(c.out)), 0u);
  EXPECT_EQ(summary_value(e.summary(), "lost_updates"), "0");
}

// Four clients over 1,000 keys, perfect clocks: a key's last write that
// overlapped another client's write of it in real time wins or loses by the
// stamps alone; three of the 1,000 keys ended that way.
TEST(LeaderlessLostUpdatesRun, ConcurrentWritesLoseEvenWithPerfectClocks)
{
  RunConfig c = one_key("");
  c.clients = 4;
  c.keys = 1000;
  c.ops = 2000;
  Experiment e(c);
  e.run();
  EXPECT_EQ(expected_lost(e, acked_writes(c.out)), 3u);
  EXPECT_EQ(summary_value(e.summary(), "lost_updates"), "3");
}

}  // namespace lww_loss_run_test
}  // namespace replisim
