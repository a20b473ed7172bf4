// Issue 18 in whole runs: anti-entropy repair removes the divergence a fault
// schedule leaves when hints are off, and clocks with a skew stamp
// last-writer-wins writes (the clients' in leaderless, the leaders' in
// multi-leader). One simulation per test: one engine per process.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "experiments/core/experiment.hpp"
#include "experiments/core/report.hpp"
#include "protocols/leaderless/leaderless.hpp"
#include "protocols/multi_leader/multi_leader.hpp"
#include "support/fault_file.hpp"

namespace replisim {
namespace repair_and_skew_run_test {

constexpr Version kNodeIdSpace = 1u << 14;  // lww_version's
constexpr Key kKeys = 2000;

// The clock reading a last-writer-wins stamp was taken at, in seconds.
double stamp_time(Version v) { return static_cast<double>(v / kNodeIdSpace) * 1e-9; }

// Six nodes, rf 3, hints off; node 1 is down from 1 s to 3 s while two
// clients write 200 times a second each at ONE, so its ranges miss writes
// that nothing hands it afterwards (2,000 keys: few are written again).
RunConfig divergent_cluster()
{
  RunConfig c;
  c.model = "leaderless";
  c.nodes = 6;
  c.rf = 3;
  c.clients = 2;
  c.rate = 200;
  c.ops = 3200;  // 8 s
  c.keys = kKeys;
  c.read_ratio = 0;
  c.latency = "1ms";
  c.set("consistency", "ONE");
  c.set("hints", "off");
  return c;
}

// Keys whose replicas hold different versions at the end of the run.
int divergent_keys(const Experiment& e)
{
  int count = 0;
  for (Key k = 0; k < kKeys; ++k) {
    const auto replicas = e.placement().replicas(e.placement().unit_of(k));
    const auto version = [&](NodeId n) { return static_cast<const LeaderlessNode&>(*e.nodes().at(n)).version_of(k); };
    const Version first = version(replicas.front());
    count += std::any_of(replicas.begin(), replicas.end(), [&](NodeId n) { return version(n) != first; }) ? 1 : 0;
  }
  return count;
}

const char* kNode1Down = "[[crash]]\nnode = 1\nat = \"1s\"\nrecover = \"3s\"\n";

// 154 keys that node 1 missed were not written again after it came back.
TEST(LeaderlessRepairRun, WithoutRepairTheReplicaThatMissedWritesStaysDivergent)
{
  test::FaultFile faults(kNode1Down);
  RunConfig c = divergent_cluster();
  c.faults = faults.path.string();
  Experiment e(c);
  e.run();
  EXPECT_EQ(divergent_keys(e), 154);
  EXPECT_EQ(summary_value(e.summary(), "repaired_keys"), "0");
  EXPECT_EQ(summary_value(e.summary(), "repair_messages"), "0");
}

// A repair every 5 s: the one at 5 s, node 1 back up, streams it the 280
// rows it still lacked then (some of the keys it missed were written again
// between 3 and 5 s); no key is divergent at the end.
TEST(LeaderlessRepairRun, OneRepairRemovesTheDivergence)
{
  test::FaultFile faults(kNode1Down);
  RunConfig c = divergent_cluster();
  c.faults = faults.path.string();
  c.set("repair-interval", "5s");
  Experiment e(c);
  e.run();
  EXPECT_EQ(divergent_keys(e), 0);
  EXPECT_EQ(summary_value(e.summary(), "repaired_keys"), "280");
  EXPECT_GT(std::stoi(summary_value(e.summary(), "repair_messages")), 0);
  EXPECT_EQ(summary_value(e.summary(), "repair_interval"), "5s");
}

// Clients 1 s ahead stamp every write with their clock: the stamp's time is
// the write's start plus 1 s, past the end of the run; coordinators' clocks
// would give the arrival time, within it.
TEST(LeaderlessClockSkewRun, ClientsStampTheirWritesWithTheirOwnClocks)
{
  RunConfig c = divergent_cluster();
  c.ops = 400;
  c.set("clock-skew", "const:1s");
  Experiment e(c);
  e.run();
  const double end = e.cluster().clock();
  ASSERT_LT(end, 3.0);
  int stamped = 0;
  for (const auto& node : e.nodes())
    for (Key k = 0; k < kKeys; ++k)
      if (const Version v = static_cast<const LeaderlessNode&>(*node).version_of(k); v != 0) {
        EXPECT_GE(stamp_time(v), 1.0);
        EXPECT_LE(stamp_time(v), end + 1.0);
        ++stamped;
      }
  EXPECT_GT(stamped, 300);
  EXPECT_EQ(summary_value(e.summary(), "clock_skew"), "const:1s");
}

// Leaders 1 s ahead stamp their writes 1 s after they take them.
TEST(MultiLeaderClockSkewRun, LeadersStampTheirWritesWithTheirOwnClocks)
{
  RunConfig c;
  c.model = "multi-leader";
  c.platform = REPLISIM_PLATFORMS "/three_dc_wan.xml";
  c.clients = 3;
  c.keys = 1000;
  c.ops = 300;
  c.rate = 300;
  c.set("write-concern", "1");
  c.set("clock-skew", "const:1s");
  Experiment e(c);
  e.run();
  std::size_t accepted = 0;
  for (NodeId l : {0, 3, 6})
    for (const AcceptedWrite& w : static_cast<const MultiLeaderNode&>(*e.nodes().at(l)).accepted()) {
      EXPECT_GE(stamp_time(w.version), 1.0);
      EXPECT_LE(stamp_time(w.version), e.cluster().clock() + 1.0);
      ++accepted;
    }
  EXPECT_EQ(accepted, 300u);
  EXPECT_EQ(summary_value(e.summary(), "clock_skew"), "const:1s");
}

}  // namespace repair_and_skew_run_test
}  // namespace replisim
