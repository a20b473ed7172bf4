// Failover in one run: a crash loses no message between live hosts, and a
// Raft leader that returns comes back as a follower. Every run checks the
// invariants. (Properties over many seeded runs, one process each, are in
// tests/experiments/cli/failover_runs_test.cpp.)
#include <gtest/gtest.h>

#include <algorithm>

#include "experiments/core/experiment.hpp"
#include "experiments/core/report.hpp"
#include "support/fault_file.hpp"

namespace replisim {
namespace failover_test {

using test::FaultFile;

// A leaderless cluster under heavy closed-loop traffic; node 4 crashes in
// the middle of it for good. Every message lost is one from or to node 4:
// transfers between other hosts are unaffected, whichever hosts they cross.
TEST(Failover, AHostCrashUnderHeavyTrafficLosesOnlyThatHostsMessages)
{
  FaultFile faults("[[crash]]\nnode = 4\nat = \"0.15s\"\n");
  RunConfig c;
  c.model = "leaderless";
  c.nodes = 9;
  c.clients = 6;
  c.concurrency = 16;
  c.ops = 30000;
  c.latency = "1ms";
  c.timeout = "50ms";
  c.faults = faults.path.string();
  c.check_invariants = true;
  c.set("consistency", "QUORUM");
  Experiment e(c);
  std::uint64_t lost = 0;
  std::uint64_t lost_elsewhere = 0;
  e.cluster().network().on_loss([&](const Envelope& m) {
    ++lost;
    const Address crashed = Address::node(4);
    lost_elsewhere += m.from == crashed || m.to == crashed ? 0 : 1;
  });
  e.run();
  EXPECT_GT(lost, 0u);
  EXPECT_EQ(lost_elsewhere, 0u);
  EXPECT_EQ(e.metrics().writes_ok + e.metrics().writes_failed + e.metrics().writes_timed_out, 30000u);
  EXPECT_LT(e.metrics().writes_timed_out, 200u);  // only requests node 4 coordinated when it went
}

// Raft has no preferred leader: a crashed leader that returns follows the
// leader elected meanwhile; its leader count, read off roles_timeline,
// falls to zero and stays there.
TEST(Failover, ARecoveredLeaderComesBackAsAFollower)
{
  FaultFile faults("[[crash]]\nnode = 3\nat = \"0.3s\"\nrecover = \"0.6s\"\n");
  RunConfig c;
  c.nodes = 9;
  c.rf = 3;
  c.clients = 3;
  c.concurrency = 2;
  c.ops = 1500;
  c.latency = "1ms";
  c.timeout = "100ms";
  c.retries = 3;
  c.retry_backoff = "20ms";
  c.faults = faults.path.string();
  c.check_invariants = true;
  c.timeline_step = "50ms";
  c.set("failover", "raft").set("election-timeout", "50ms:100ms");
  Experiment e(c);
  e.run();
  const auto samples = e.datastore().leadership().timeline(0.05, e.cluster().clock());
  int before = -1;
  int after_recovery = -1;
  for (const auto& s : samples) {
    if (s.node != 3)
      continue;
    if (s.at < 0.3 - 1e-9)
      before = s.leader_units;
    if (s.at > 0.7)
      after_recovery = std::max(after_recovery, s.leader_units);
  }
  EXPECT_EQ(before, 1);
  EXPECT_EQ(after_recovery, 0);
  const auto& leaders = e.model().roles().leaders;
  EXPECT_NE(leaders.at(1).at(0), 3);
  EXPECT_TRUE(leaders.at(1).at(0) == 4 || leaders.at(1).at(0) == 5);
}

}  // namespace failover_test
}  // namespace replisim
