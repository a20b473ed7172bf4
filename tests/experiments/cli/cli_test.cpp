// replisim as users meet it: exit status, the one-line error, and the files a
// run leaves behind (all of them, identical for a seed, or none).
#include <gtest/gtest.h>

#include "support/command.hpp"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace cli_test {

using replisim::test::slurp;
using replisim::test::summary_value;
using Result = replisim::test::CommandResult;

class Cli : public replisim::test::ScratchDirTest {
protected:
  // Exit 2, exactly one line on stderr that names `what`, and no output directory.
  void expect_bad_input(const std::string& args, const std::string& what)
  {
    const fs::path out = dir_ / "out";
    const Result r = replisim(args + " --out " + out.string());
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out)) << "a failed run left " << out;
  }
};

constexpr const char* kSmallRun = "run --nodes 6 --rf 3 --clients 2 --ops 400 --read-ratio 0.3 --read-from secondary "
                                  "--latency 2ms --key-dist zipfian --keys 50";

TEST_F(Cli, RfLargerThanTheNodeCountIsBadInput) { expect_bad_input("run --nodes 3 --rf 5", "--rf"); }

TEST_F(Cli, RfLargerThanAPlatformsNodesIsBadInput)
{
  expect_bad_input(fmt::format("run --platform {}/known_latencies.xml --rf 4", REPLISIM_TEST_DATA), "--rf");
}

TEST_F(Cli, UnknownModelIsBadInput) { expect_bad_input("run --model paxos-ish", "--model"); }

TEST_F(Cli, MalformedPlatformNamesTheFileAndLine)
{
  expect_bad_input(fmt::format("run --platform {}/malformed.xml", REPLISIM_TEST_DATA), "malformed.xml:6");
}

TEST_F(Cli, MissingPlatformNamesTheFile) { expect_bad_input("run --platform /nonexistent/dc.xml", "/nonexistent/dc.xml"); }

TEST_F(Cli, NegativeLatencyIsBadInput)
{
  expect_bad_input("run --latency=-5ms", "--latency");
  expect_bad_input("run --latency -5ms", "--latency");
}

TEST_F(Cli, UnknownFlagIsBadInput) { expect_bad_input("run --frobnicate 3", "--frobnicate"); }

TEST_F(Cli, BadWriteConcernIsBadInput) { expect_bad_input("run --write-concern two", "--write-concern"); }

TEST_F(Cli, PartitionedRfLargerThanTheNodeCountIsBadInput)
{
  expect_bad_input("run --model partitioned --nodes 3 --rf 4", "--rf");
}

TEST_F(Cli, PartitionedNeedsAtLeastOneUnit) { expect_bad_input("run --model partitioned --units 0", "--units"); }

TEST_F(Cli, StartIndexOutsideTheNodesIsBadInput)
{
  expect_bad_input("run --model partitioned --nodes 5 --start-index 5", "--start-index");
  expect_bad_input("run --model partitioned --nodes 5 --start-index=-2", "--start-index");
  expect_bad_input(fmt::format("run --model partitioned --platform {}/known_latencies.xml --start-index 3",
                               REPLISIM_TEST_DATA),
                   "--start-index");
}

TEST_F(Cli, UnknownAcksIsBadInput) { expect_bad_input("run --model partitioned --acks 2", "--acks"); }

TEST_F(Cli, BadProcessingCostIsBadInput)
{
  expect_bad_input("run --service client=zipf:3", "--service");
  expect_bad_input("run --service cpu=const:1ms", "--service");
  expect_bad_input("run --service \"client=const:1ms write\"", "--service");
}

TEST_F(Cli, ThreadsAndCoresMustBePositive)
{
  expect_bad_input("run --threads 0", "--threads");
  expect_bad_input("run --cores 0", "--cores");
  expect_bad_input("run --host-speed 0Gf", "--host-speed");
  expect_bad_input("run --host-speed 2GHz", "--host-speed");
}

TEST_F(Cli, SyncWritesNeedADiskOnEveryNode)
{
  expect_bad_input(fmt::format("run --platform {}/known_latencies.xml --sync-writes", REPLISIM_TEST_DATA), "<disk>");
}

// Kafka's assignment for 5 brokers, 10 partitions, rf 3, start index 2, by hand.
TEST_F(Cli, PlacementPrintsKafkasAssignment)
{
  const Result r = replisim("placement --model partitioned --nodes 5 --units 10 --rf 3 --start-index 2");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "unit,leader,replicas\n"
            "0,2,2;0;1\n1,3,3;1;2\n2,4,4;2;3\n3,0,0;3;4\n4,1,1;4;0\n"
            "5,2,2;1;3\n6,3,3;2;4\n7,4,4;3;0\n8,0,0;4;1\n9,1,1;0;2\n");
}

TEST_F(Cli, PlacementPrintsLeaderFollowerReplicaSets)
{
  const Result r = replisim("placement --model leader-follower --nodes 7 --rf 3");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "unit,leader,replicas\n0,0,0;1;2\n1,3,3;4;5\n");
}

TEST_F(Cli, PlacementIsRackAwareAcrossZones)
{
  // three_dc_wan lists n0-n2 in us-east, n3-n5 in us-west, n6-n8 in eu-west.
  const Result r = replisim(fmt::format("placement --model partitioned --platform {}/three_dc_wan.xml --units 9 --rf 3 "
                                        "--start-index 0",
                                        REPLISIM_PLATFORMS));
  ASSERT_EQ(r.status, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::getline(lines, line);
  int units = 0;
  while (std::getline(lines, line)) {
    const std::string replicas = line.substr(line.rfind(',') + 1);
    std::set<int> zones;
    for (std::size_t i = 0; i < replicas.size(); i += 2)
      zones.insert((replicas[i] - '0') / 3);
    EXPECT_EQ(zones.size(), 3u) << line;
    ++units;
  }
  EXPECT_EQ(units, 9);
}

TEST_F(Cli, RolesDotDrawsTheRoleGraph)
{
  const fs::path dot = dir_ / "roles.dot";
  const Result r = replisim(fmt::format("run --model partitioned --nodes 3 --units 3 --rf 2 --ops 30 --roles-dot {}",
                                        dot.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string text = slurp(dot);
  EXPECT_EQ(text.rfind("graph G {", 0), 0u) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1 + 3 + 3 + 6 + 1) << text;  // header, nodes, units, edges, }
}

// A fixed write rate on a small key set: the longer a write takes to reach
// the other leaders, the more writes it is concurrent with.
TEST_F(Cli, MultiLeaderConflictsRiseWithInterDatacenterLatency)
{
  std::uint64_t conflicts[2] = {};
  int i = 0;
  for (const char* scale : {"1", "4"}) {
    const fs::path out = dir_ / (std::string("ml-") + scale);
    const Result r = replisim(fmt::format("run --model multi-leader --platform {}/three_dc_wan.xml --clients 3 --rate 20 "
                                          "--ops 600 --keys 5 --write-concern 1 --latency-scale {} --seed 3 --out {}",
                                          REPLISIM_PLATFORMS, scale, out.string()));
    ASSERT_EQ(r.status, 0) << r.err;
    conflicts[i++] = std::stoull(summary_value(slurp(out / "summary.csv"), "conflicts"));
  }
  EXPECT_GT(conflicts[0], 0u);
  EXPECT_GT(conflicts[1], 2 * conflicts[0]) << conflicts[0] << " then " << conflicts[1];
}

// A SimGrid setting that changes results (CM02 without its reverse cross
// traffic) is named in the summary and on the terminal; by default nothing is.
TEST_F(Cli, EngineSettingsThatChangeResultsAreNamedInTheOutput)
{
  const fs::path plain = dir_ / "plain", changed = dir_ / "changed";
  const Result a = replisim(fmt::format("run --nodes 3 --ops 50 --out {}", plain.string()));
  const Result b = replisim(fmt::format("run --nodes 3 --ops 50 --cfg=network/crosstraffic:0 --out {}", changed.string()));
  ASSERT_EQ(a.status, 0) << a.err;
  ASSERT_EQ(b.status, 0) << b.err;
  EXPECT_EQ(summary_value(slurp(plain / "summary.csv"), "engine_settings"), "");
  EXPECT_EQ(summary_value(slurp(changed / "summary.csv"), "engine_settings"), "network/crosstraffic:0");
  EXPECT_EQ(a.out.find("SimGrid settings changed"), std::string::npos) << a.out;
  EXPECT_NE(b.out.find("SimGrid settings changed from replisim's defaults (results may differ): network/crosstraffic:0"),
            std::string::npos)
      << b.out;
}

TEST_F(Cli, MoreLeadersThanAZoneHasIsBadInput)
{
  expect_bad_input(fmt::format("run --model multi-leader --platform {}/three_dc_wan.xml --leaders-per-zone 4",
                               REPLISIM_PLATFORMS),
                   "--leaders-per-zone");
}

TEST_F(Cli, ARunWritesTheThreeFilesAndASummaryTable)
{
  const fs::path out = dir_ / "run";
  const Result r = replisim(fmt::format("{} --out {}", kSmallRun, out.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");  // SimGrid's log noise is off by default
  EXPECT_NE(r.out.find("one-to-one"), std::string::npos) << r.out;
  for (const char* name : {"ops.csv", "roles.csv", "visibility.csv", "summary.csv"})
    EXPECT_TRUE(fs::exists(out / name)) << name;
  EXPECT_EQ(std::distance(fs::directory_iterator(out), fs::directory_iterator()), 4) << "temporary files left";
  const std::string ops = slurp(out / "ops.csv");
  EXPECT_EQ(ops.substr(0, ops.find('\n')),
            "op_id,client,kind,key,unit,coordinator,primary,start_ms,end_ms,latency_ms,acks,outcome,version,stale,"
            "since_commit_ms,versions_behind,queued_ms,attempts,write_id,dirty");
  EXPECT_EQ(std::count(ops.begin(), ops.end(), '\n'), 401);
  const std::string roles = slurp(out / "roles.csv");
  EXPECT_EQ(roles.substr(0, roles.find('\n')),
            "node,host,zone,primary_units,replica_units,leader_units,follower_units,writes_led,writes_replicated,"
            "msgs_sent,msgs_received,bytes_sent,follows,threads,busy_fraction,queue_wait_p99_ms,queue_wait_mean_ms,"
            "max_queue_length,messages_handled");
}

// wall_s is the one column allowed to differ between two runs.
std::string without_wall_clock(const std::string& summary)
{
  std::istringstream in(summary);
  std::string header, values;
  std::getline(in, header);
  std::getline(in, values);
  std::istringstream h(header), v(values);
  std::string name, value, kept;
  while (std::getline(h, name, ',') && std::getline(v, value, ','))
    if (name != "wall_s")
      kept += name + "=" + value + ";";
  return kept;
}

TEST_F(Cli, TheSameSeedGivesByteIdenticalFiles)
{
  const fs::path a = dir_ / "a", b = dir_ / "b", c = dir_ / "c";
  ASSERT_EQ(replisim(fmt::format("{} --seed 7 --out {}", kSmallRun, a.string())).status, 0);
  ASSERT_EQ(replisim(fmt::format("{} --seed 7 --out {}", kSmallRun, b.string())).status, 0);
  ASSERT_EQ(replisim(fmt::format("{} --seed 8 --out {}", kSmallRun, c.string())).status, 0);
  EXPECT_EQ(slurp(a / "ops.csv"), slurp(b / "ops.csv"));
  EXPECT_EQ(slurp(a / "roles.csv"), slurp(b / "roles.csv"));
  EXPECT_EQ(without_wall_clock(slurp(a / "summary.csv")), without_wall_clock(slurp(b / "summary.csv")));
  // And the seed matters, so the comparison above could have failed.
  EXPECT_NE(slurp(a / "ops.csv"), slurp(c / "ops.csv"));
}

TEST_F(Cli, PlatformPrintsLoadableXml)
{
  const Result r = replisim("platform --nodes 4 --clients 2 --latency 3ms");
  ASSERT_EQ(r.status, 0) << r.err;
  const fs::path xml = dir_ / "star.xml";
  std::ofstream(xml) << r.out;
  const fs::path out = dir_ / "from-xml";
  const Result run = replisim(fmt::format("run --platform {} --rf 3 --clients 2 --ops 20 --write-concern 1 --out {}",
                                          xml.string(), out.string()));
  ASSERT_EQ(run.status, 0) << run.err;
  // Two 3 ms links each way: a w:1 write takes 12 ms.
  EXPECT_NE(slurp(out / "summary.csv").find(",12.0"), std::string::npos) << slurp(out / "summary.csv");
}

TEST_F(Cli, HelpSaysTheNetworkModelIsCm02)
{
  const Result r = replisim("--help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("CM02"), std::string::npos) << r.out;
}

}  // namespace cli_test
