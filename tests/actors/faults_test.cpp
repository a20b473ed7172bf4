// Faults during a run, in the runtime: a crash loses the crashed node's
// messages and state and nothing else, a link down loses what crosses it,
// a partition loses what crosses it while it lasts, and the leadership
// tracker measures how long units went without a leader.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "experiments/core/experiment.hpp"
#include "experiments/core/report.hpp"
#include "support/fault_file.hpp"
#include "platforms/star_platform.hpp"

#include <fmt/format.h>

namespace replisim {
namespace faults_test {

namespace fs = std::filesystem;

using test::FaultFile;

// Nine nodes, three replica sets of three (shard i = nodes 3i..3i+2, node 3i
// its primary), w:majority, three clients in closed loop.
RunConfig nine_nodes(const FaultFile& faults)
{
  RunConfig c;
  c.nodes = 9;
  c.rf = 3;
  c.clients = 3;
  c.concurrency = 4;
  c.ops = 6000;
  c.latency = "1ms";
  c.timeout = "50ms";
  c.faults = faults.path.string();
  return c;
}

// One client, one write at a time, 500 writes over 1 ms links: each takes
// 8 ms, so a 200 ms cut in its path, with a 50 ms timeout, times out one
// write per 50 ms of the cut.
RunConfig one_client_in_turn(RunConfig c)
{
  c.clients = 1;
  c.concurrency = 1;
  c.ops = 500;
  return c;
}

void expect_writes_lost_to_a_200ms_cut(const OpMetrics& m)
{
  EXPECT_GE(m.writes_timed_out, 3u);
  EXPECT_LE(m.writes_timed_out, 5u);
}

TEST(Faults, ACrashedSecondaryCostsNothingUnderMajority)
{
  // The run lasts about 1.6 s; node 4, a secondary of shard 1, crashes at 0.5 s.
  FaultFile faults("[[crash]]\nnode = 4\nat = \"0.5s\"\n");
  Experiment e(nine_nodes(faults));
  e.run();
  EXPECT_EQ(e.metrics().writes_ok, 6000u);  // two of three still make a majority
  EXPECT_EQ(summary_value(e.summary(), "outages"), "0");  // no leader was lost
}

// The primary of shard 1 crashes: its writes fail from then on, while every
// write of the other shards — whose messages cross live hosts only,
// whichever hosts carry the transfers — succeeds.
TEST(Faults, ACrashLosesOnlyTheCrashedHostsMessages)
{
  FaultFile faults("[[crash]]\nhost = \"node3\"\nat = \"0.5s\"\n");
  RunConfig config = nine_nodes(faults);
  config.out = (fs::temp_directory_path() / ("replisim-faults-out-" + std::to_string(getpid()))).string();
  Experiment e(config);
  e.run();
  std::ifstream ops(fs::path(config.out) / "ops.csv");
  std::string line;
  std::getline(ops, line);
  int other_ok = 0, other_failed = 0, shard1_late_failed = 0;
  while (std::getline(ops, line)) {
    std::vector<std::string> f;
    std::stringstream s(line);
    for (std::string cell; std::getline(s, cell, ',');)
      f.push_back(cell);
    const int unit = std::stoi(f[4]);
    const double start_ms = std::stod(f[7]);
    const bool ok = f[11] == "ok";
    if (unit != 1)
      (ok ? other_ok : other_failed) += 1;
    else if (start_ms > 500)
      shard1_late_failed += ok ? 0 : 1;
  }
  fs::remove_all(config.out);
  EXPECT_EQ(other_failed, 0);
  EXPECT_GT(other_ok, 3000);
  EXPECT_GT(shard1_late_failed, 0);
  // Shard 1 had no leader from the crash to the end of the run.
  EXPECT_EQ(summary_value(e.summary(), "outages"), "1");
  const double outage_ms = std::stod(summary_value(e.summary(), "unavailability_max_ms"));
  EXPECT_NEAR(outage_ms, (e.cluster().clock() - 0.5) * 1e3, 1e-6);
}

// Without failover the shard waits for its primary: the outage is exactly its downtime.
TEST(Faults, WithoutFailoverAUnitIsLeaderlessForItsPrimarysDowntime)
{
  FaultFile faults("[[crash]]\nhost = \"node3\"\nat = \"0.3s\"\nrecover = \"0.5s\"\n");
  Experiment e(nine_nodes(faults));
  e.run();
  EXPECT_EQ(summary_value(e.summary(), "outages"), "1");
  EXPECT_NEAR(std::stod(summary_value(e.summary(), "unavailability_max_ms")), 200, 1e-6);
  EXPECT_GT(e.metrics().writes_timed_out, 0u);
}

TEST(Faults, TheNodeLeadingMostUnitsIsChosenWhenItsTimeComes)
{
  // Twelve partitions on six nodes: each leads two; the first of equals is node 0.
  FaultFile faults("[[crash]]\nnode = \"most-leaders\"\nat = \"0.2s\"\n");
  RunConfig c = nine_nodes(faults);
  c.model = "partitioned";
  c.nodes = 6;
  c.set("units", "12");
  c.set("start-index", "0");
  Experiment e(c);
  e.run();
  EXPECT_EQ(summary_value(e.summary(), "outages"), "2");  // the two partitions node 0 led
  EXPECT_EQ(summary_value(e.summary(), "leader_imbalance_before_fault"), "1.000000");
}

// A partition between the client and its nodes: nothing gets through while
// it lasts, everything before and after does.
TEST(Faults, APartitionLosesWhatCrossesItWhileItLasts)
{
  FaultFile faults("[[partition]]\nsides = [[\"client0\"], [\"node0\", \"node1\", \"node2\"]]\nfrom = \"0.2s\"\nuntil = \"0.4s\"\n");
  RunConfig c = one_client_in_turn(nine_nodes(faults));
  c.nodes = 3;
  Experiment e(c);
  e.run();
  expect_writes_lost_to_a_200ms_cut(e.metrics());
  EXPECT_EQ(e.metrics().writes_failed, 0u);
  EXPECT_EQ(e.metrics().writes_ok + e.metrics().writes_timed_out, 500u);
}

TEST(Faults, ALinkDownLosesWhatCrossesIt)
{
  FaultFile faults("[[link]]\nlink = \"client0-link\"\ndown = \"0.2s\"\nup = \"0.4s\"\n");
  RunConfig c = one_client_in_turn(nine_nodes(faults));
  c.nodes = 3;
  Experiment e(c);
  e.run();
  expect_writes_lost_to_a_200ms_cut(e.metrics());
}

}  // namespace faults_test
}  // namespace replisim

namespace replisim {
namespace faults_test {

// A platform file where a host or a link follows a SimGrid state profile
// (state_file="...", beside the platform: lines "time 0|1"), which turns it
// off and on as a fault file would.
struct ProfiledPlatform {
  ProfiledPlatform(int nodes, const std::string& element, double off, double on)
      : path(fs::temp_directory_path() / ("replisim-profiled-" + std::to_string(getpid()) + ".xml")),
        profile(fs::temp_directory_path() / ("replisim-profiled-" + std::to_string(getpid()) + ".profile"))
  {
    StarSpec spec;
    spec.nodes = nodes;
    spec.clients = nodes == 9 ? 3 : 1;
    spec.latency_s = 0.001;
    std::string xml = star_platform_xml(spec);
    const std::string tag = "id=\"" + element + "\"";
    xml.insert(xml.find(tag) + tag.size(), " state_file=\"" + profile.filename().string() + "\"");
    std::ofstream(path) << xml;
    std::ofstream(profile) << fmt::format("{} 0\n{} 1\n", off, on);
  }
  ~ProfiledPlatform()
  {
    fs::remove(path);
    fs::remove(profile);
  }
  fs::path path;
  fs::path profile;
};

RunConfig on_platform(const ProfiledPlatform& platform)
{
  RunConfig c;
  c.platform = platform.path.string();
  c.rf = 3;
  c.concurrency = 4;
  c.ops = 6000;
  c.timeout = "50ms";
  c.timeline_step = "100ms";
  return c;
}

TEST(Faults, AHostStateProfileCrashesAndRecoversItsNode)
{
  const ProfiledPlatform platform(9, "node3", 0.3, 0.5);
  Experiment e(on_platform(platform));
  e.run();
  EXPECT_EQ(summary_value(e.summary(), "outages"), "1");
  EXPECT_NEAR(std::stod(summary_value(e.summary(), "unavailability_max_ms")), 200, 1e-6);
  EXPECT_GT(e.metrics().writes_timed_out, 0u);
}

TEST(Faults, ALinkStateProfileLosesWhatCrossesIt)
{
  const ProfiledPlatform platform(3, "client0-link", 0.2, 0.4);
  Experiment e(one_client_in_turn(on_platform(platform)));
  e.run();
  expect_writes_lost_to_a_200ms_cut(e.metrics());  // as with a fault file
}

}  // namespace faults_test
}  // namespace replisim
