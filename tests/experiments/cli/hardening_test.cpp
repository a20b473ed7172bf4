// Hardening, round two (issue 19): one test per class of defect, each with
// the inputs that crashed, hung, blew up memory, failed to heal, left stale
// outputs or were accepted though they could never succeed. Bad input keeps
// the promise of support/bad_input.hpp; valid input runs to its end.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include <fmt/format.h>

#include "support/bad_input.hpp"

namespace replisim::test {
namespace hardening_test {

const std::string kPlatforms = REPLISIM_PLATFORMS;

class Hardening : public BadInputTest {
protected:
  fs::path write(const std::string& name, const std::string& text) const
  {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }

  // A platform of three nodes and a client on a full mesh of 1 ms links,
  // with `host_attr` on node1 and `link_attr` on node1's link.
  fs::path platform(const std::string& host_attr, const std::string& link_attr = "") const
  {
    std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
                      "<platform version=\"4.1\"><zone id=\"z\" routing=\"Full\">\n";
    const std::vector<std::string> hosts = {"node0", "node1", "node2", "client0"};
    for (std::size_t i = 0; i < hosts.size(); ++i)
      xml += fmt::format("<host id=\"{}\" speed=\"1Gf\"{}/>\n", hosts[i], i == 1 ? " " + host_attr : "");
    for (std::size_t i = 0; i < hosts.size(); ++i)
      xml += fmt::format("<link id=\"l{}\" bandwidth=\"1GBps\" latency=\"1ms\"{}/>\n", i,
                         i == 1 && !link_attr.empty() ? " " + link_attr : "");
    for (std::size_t i = 0; i < hosts.size(); ++i)
      for (std::size_t j = i + 1; j < hosts.size(); ++j)
        xml += fmt::format("<route src=\"{}\" dst=\"{}\"><link_ctn id=\"l{}\"/><link_ctn id=\"l{}\"/></route>\n",
                           hosts[i], hosts[j], i, j);
    xml += "</zone></platform>\n";
    return write("platform.xml", xml);
  }

  // The value of `column` in DIR/summary.csv.
  static std::string summary(const fs::path& out, const std::string& column)
  {
    std::ifstream in(out / "summary.csv");
    std::string header;
    std::string values;
    std::getline(in, header);
    std::getline(in, values);
    std::vector<std::string> h;
    std::vector<std::string> v;
    std::stringstream hs(header);
    std::stringstream vs(values);
    for (std::string x; std::getline(hs, x, ',');)
      h.push_back(x);
    for (std::string x; std::getline(vs, x, ',');)
      v.push_back(x);
    for (std::size_t i = 0; i < h.size() && i < v.size(); ++i)
      if (h[i] == column)
        return v[i];
    ADD_FAILURE() << "no column " << column;
    return "";
  }
};

// Crashes and aborts: each of these ended with a signal (139 or 134) and
// left temporaries; now each is one line, exit 2.
TEST_F(Hardening, InputsThatCrashedAreRefused)
{
  expect_bad_input("run --ops 100 --latency 1e-20s", "--latency: '1e-20s' is below 1ns");
  expect_bad_input("run --ops 100 --latency-scale 1e-20", "--latency-scale");
  expect_bad_input("run --ops 100 --cfg=network/model:ns-3", "--cfg=network/model:ns-3: replisim does not run on ns-3");
  const fs::path tiny = platform("", "latency_file=\"lat.txt\"");
  write("lat.txt", "0 1e-20\n");
  expect_bad_input("run --ops 20 --rf 2 --platform " + tiny.string(), "lat.txt':1: latency 1e-20");
  write("speed.txt", "0 1\n0.5 0\n");
  expect_bad_input("run --ops 20 --rf 2 --service client=const:1ms --platform " + platform("speed_file=\"speed.txt\"").string(),
                   "speed.txt':2: speed 0 must be positive");
  fs::create_directory(dir_ / "adir");
  expect_bad_input(fmt::format("run --platform {}/three_dc_wan.xml --deployment {}", kPlatforms, (dir_ / "adir").string()),
                   "is a directory");
  fs::remove(dir_ / "adir");
  std::string many = "<?xml version='1.0'?>\n<platform version=\"4.1\">\n"
                     "<actor host=\"n0\" function=\"replisim-node\"/>\n";
  for (int i = 0; i < 10'001; ++i)
    many += "<actor host=\"client0\" function=\"replisim-client\"/>\n";
  many += "</platform>\n";
  expect_bad_input(fmt::format("run --platform {}/three_dc_wan.xml --deployment {}", kPlatforms,
                               write("many.xml", many).string()),
                   "at most 10000 of each");
}

// Hangs: a FIFO blocked the reader, SimGrid's solver hung at a precision of
// 0, and elections or rebalances faster than a message never ended.
TEST_F(Hardening, InputsThatHungAreRefused)
{
  const fs::path fifo = dir_ / "fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  expect_bad_input("run --ops 20 --faults " + fifo.string(), "is not a file");
  expect_bad_input(fmt::format("run --ops 20 --platform {}/three_dc_wan.xml --deployment {}", kPlatforms, fifo.string()),
                   "is not a regular file");
  fs::remove(fifo);
  expect_bad_input("run --ops 20 --cfg=surf/precision:0", "--cfg=surf/precision:0: must be a number in (0, 1e-3]");
  expect_bad_input("run --ops 20 --cfg=precision/timing:-1", "must be a number");
  for (const char* timeout : {"1us", "2us:4us", "20us:40us"})
    expect_bad_input(fmt::format("run --ops 20 --failover raft --election-timeout {}", timeout),
                     "shorter than 1ms");
  expect_bad_input("run --ops 20 --failover mongodb --heartbeat 1us", "--heartbeat");
  expect_bad_input("run --ops 20 --failover mongodb --election-timeout 2us", "--election-timeout");
  expect_bad_input("run --ops 20 --failover kafka --model partitioned --leader-rebalance-interval 1ns",
                   "--leader-rebalance-interval: '1ns' is shorter than 1ms");
  // Longer than 1 ms, but not than a round trip between replicas (20 ms on the default star).
  expect_bad_input("run --ops 20 --failover raft --election-timeout 5ms:10ms",
                   "is not longer than the round trip between nodes");
}

// Memory that grew with a value inside its documented range: now bounded.
TEST_F(Hardening, SettingsThatBlewUpMemoryAreBounded)
{
  expect_bad_input("run --ops 20 --threads 4096 --nodes 5000", "more than 1000000 workers");
  expect_bad_input("run --ops 20 --model multi-leader --nodes 1000 --leaders 1000", "more than 100");
  expect_bad_input("run --ops 20 --model partitioned --nodes 10000 --units 100000 --rf 10000",
                   "more than 1000000 replicas");
  write("zero.txt", "0 0\n0 1\nLOOPAFTER 0\n");
  expect_bad_input("run --ops 20 --rf 2 --platform " + platform("state_file=\"zero.txt\"").string(),
                   "repeats every 0 s");
  expect_bad_input("run --ops 20 --failover raft --election-timeout 1ns", "shorter than 1ms");
  std::string crashes;
  for (int i = 0; i < 100'001; ++i)
    crashes += "[[crash]]\nnode = 1\nat = \"1s\"\n";
  expect_bad_input("run --ops 20 --faults " + write("many.toml", crashes).string(), "at most 100000 of each");
}

// Faults that did not heal as documented. With --failover none a follower
// that returned never caught up (145 of 200 w:all writes timed out), and a
// primary that returned never committed again.
TEST_F(Hardening, AReturningReplicaCatchesUpWithoutFailover)
{
  for (const char* node : {"1", "0"}) {
    const fs::path faults = write("crash.toml", fmt::format("[[crash]]\nnode = {}\nat = \"1s\"\nrecover = \"2s\"\n", node));
    const fs::path out = dir_ / fmt::format("out{}", node);
    const CommandResult r = replisim(fmt::format("run --nodes 3 --rf 3 --write-concern all --rate 20 --ops 200 "
                                                 "--clients 1 --faults {} --out {}",
                                                 faults.string(), out.string()));
    ASSERT_EQ(r.status, 0) << r.err;
    // Node 1 away: the writes of 1 s to 2 s wait for it (less than the 2 s
    // timeout) and commit once it caught up. Node 0 (the primary) away: the
    // writes sent to it meanwhile are lost, every later one commits.
    if (node == std::string("1")) {
      EXPECT_EQ(summary(out, "writes_ok"), "200");
      EXPECT_EQ(summary(out, "writes_timed_out"), "0");
    } else {
      EXPECT_GE(std::stoi(summary(out, "writes_ok")), 175) << "no write committed after the primary returned";
    }
  }
}

// --down of a unit's primary under --failover: clients learn the elected
// leader instead of timing out at the down one, and the time without a
// leader, from the start to the election, is an outage.
TEST_F(Hardening, ClientsOfADownPrimaryWriteToTheElectedLeader)
{
  const fs::path out = dir_ / "out";
  const CommandResult r = replisim("run --nodes 3 --rf 3 --failover raft --down node0 --ops 100 --clients 1 "
                                   "--retries 3 --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(summary(out, "writes_ok"), "100");
  EXPECT_EQ(summary(out, "outages"), "1");
  EXPECT_LT(std::stod(summary(out, "write_mean_ms")), 100.0) << "writes waited at the down node";
}

// A state profile is a fault-file crash in every respect: multi-leader and
// chain ran it only with a (even empty) --faults file, and no timeline was written.
TEST_F(Hardening, AStateProfileIsHandledAsAFaultFileCrash)
{
  write("state.txt", "0 1\n0.5 0\n1 1\n");
  const fs::path p = platform("state_file=\"state.txt\"");
  for (const char* model : {"multi-leader", "chain", "leader-follower"}) {
    const fs::path out = dir_ / model;
    const CommandResult r = replisim(fmt::format("run --model {} --platform {} --rf 3 --ops 200 --rate 100 --clients 1 "
                                                 "--out {}",
                                                 model, p.string(), out.string()));
    ASSERT_EQ(r.status, 0) << model << ": " << r.err;
    EXPECT_TRUE(fs::exists(out / "roles_timeline.csv")) << model;
    EXPECT_TRUE(fs::exists(out / "outages.csv")) << model;
  }
}

// Fault files: what was valid for one seed and not another, what wrapped
// round, what was accepted and did nothing.
TEST_F(Hardening, FaultFilesMeanWhatTheySayForEverySeed)
{
  const auto bad = [this](const std::string& toml, const std::string& what, const std::string& flags = "") {
    expect_bad_input("run --nodes 3 --ops 20 --clients 1 " + flags + " --faults " + write("f.toml", toml).string(), what);
  };
  bad("[[crash]]\nnode = 4294967296\nat = \"1s\"\n", "no node 4294967296");
  for (int seed = 1; seed <= 4; ++seed)
    bad("[[crash]]\nnode = 1\nat = \"1s:3s\"\nrecover = \"1.1s:3.1s\"\n", "recover must come after it starts",
        fmt::format("--seed {}", seed));
  bad("[[crash]]\nhost = \"client0\"\nat = \"1s\"\n", "runs no datastore node");
  bad("[[crash]]\nnode = \"most-leaders\"\nat = \"1s\"\n", "units have no leader", "--model leaderless");
  bad("[[partition]]\nsides = [[\"node0\"], [\"node0\"]]\nfrom = \"1s\"\n", "'node0' is on both sides");
  bad("[[crash]]\nnode = 1\nat = \"1s\"\nrecover = \"3s\"\n[[crash]]\nnode = 1\nat = \"2s\"\nrecover = \"4s\"\n",
      "already down then");
  bad("[[crash]]\nnode = 1\nat = \"100000h\"\n", "more than a year");
}

// Outputs: an earlier run's files stayed beside the new ones, and paths
// that could not be written were found only after the whole simulation.
TEST_F(Hardening, ARunReplacesEarlierOutputsAndChecksItsPathsFirst)
{
  const fs::path out = dir_ / "out";
  write("f.toml", "[[crash]]\nnode = 1\nat = \"10ms\"\nrecover = \"20ms\"\n");
  ASSERT_EQ(replisim("run --nodes 3 --ops 20 --faults " + (dir_ / "f.toml").string() + " --out " + out.string()).status, 0);
  ASSERT_TRUE(fs::exists(out / "roles_timeline.csv"));
  std::ofstream(out / "notes.txt") << "mine";
  const CommandResult again = replisim("run --nodes 3 --ops 20 --ops-file none --out " + out.string());
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_FALSE(fs::exists(out / "ops.csv"));
  EXPECT_FALSE(fs::exists(out / "roles_timeline.csv"));
  EXPECT_FALSE(fs::exists(out / "outages.csv"));
  EXPECT_TRUE(fs::exists(out / "summary.csv"));
  EXPECT_TRUE(fs::exists(out / "notes.txt")) << "a file not of replisim's names was removed";
  fs::remove_all(out);

  fs::create_directories(out / "ops.csv");
  const CommandResult blocked = replisim("run --nodes 3 --ops 100000 --out " + out.string());
  expect_refused(blocked, "ops.csv' is not a regular file");
  fs::remove_all(out);
  const CommandResult dot = replisim(fmt::format("run --nodes 3 --ops 20 --out {} --roles-dot {}", out.string(),
                                                 (out / "summary.csv").string()));
  expect_refused(dot, "--roles-dot");
  EXPECT_FALSE(fs::exists(out));
}

// bench and merge: a table path found unwritable only after the whole
// bench, node counts every measurement fails on, rows of another shape
// merged silently, a corrupt row reported as a missing one.
TEST_F(Hardening, BenchAndMergeCheckWhatTheyAreGiven)
{
  expect_refused(replisim("bench --nodes-list 3 --models chain --messages 100 --csv /proc/replisim-x.csv"), "--csv");
  expect_refused(replisim("bench --dry-run --nodes-list 1"), "--nodes-list: 1 is out of range");
  const auto shard = [this](const std::string& name, const std::string& row0, const std::string& row1) {
    const fs::path d = dir_ / name;
    fs::create_directories(d / "rows");
    std::ofstream(d / "sweep-id") << "fingerprint 77\njobs 2\n";
    std::ofstream(d / "rows" / "000000.csv") << row0;
    std::ofstream(d / "rows" / "000001.csv") << row1;
    return d.string();
  };
  const std::string good = "model,seed,status,error,schema_version\nchain,1,ok,,3\n";
  const std::string renamed = "modelX,seed,status,error,schema_version\nchain,2,ok,,3\n";
  const CommandResult header = replisim("merge " + shard("a", good, renamed) + " --out " + (dir_ / "m.csv").string());
  expect_refused(header, "not rows of one sweep");
  const CommandResult corrupt = replisim("merge " + shard("b", good, "model,seed\nchain\n") + " --out " +
                                         (dir_ / "m.csv").string());
  expect_refused(corrupt, "000001.csv' is not a whole row");
  EXPECT_FALSE(fs::exists(dir_ / "m.csv"));
}

// Settings accepted that made every operation fail, and duplicates where
// the last silently won: refused with the reason.
TEST_F(Hardening, SettingsThatCanNeverSucceedAreRefused)
{
  expect_bad_input("run --model partitioned --nodes 3 --ops 20 --min-insync 4 --rf 3", "--min-insync: 4 is more than --rf 3");
  expect_bad_input("run --model leaderless --nodes 3 --ops 20 --consistency THREE --rf 2", "--consistency: THREE can never be met");
  expect_bad_input("run --nodes 3 --ops 20 --timeout 1ns", "--timeout: '1ns' is not longer than the shortest round trip");
  expect_bad_input("run --nodes 3 --ops 20 --service client=const:1ms --service client=const:2ms",
                   "--service: kind 'client' is given twice");
  expect_bad_input("run --model leaderless --strategy network-topology --ops 20 --rf us-east:1,us-east:2 --platform " +
                       kPlatforms + "/three_dc_wan.xml",
                   "--rf: zone 'us-east' is given twice");
  const std::string deployment = "<?xml version='1.0'?>\n<platform version=\"4.1\">\n"
                                 "<actor host=\"n0\" function=\"replisim-node\" {}/>\n"
                                 "<actor host=\"client0\" function=\"replisim-client\"/>\n</platform>\n";
  for (const char* attribute : {"start_time=\"1\"", "kill_time=\"2\"", "on_failure=\"RESTART\""})
    expect_bad_input(fmt::format("run --platform {}/three_dc_wan.xml --ops 20 --rf 1 --deployment {}", kPlatforms,
                                 write("d.xml", fmt::format(fmt::runtime(deployment), attribute)).string()),
                     "is not supported");
  expect_bad_input(fmt::format("run --platform {}/three_dc_wan.xml --ops 20 --rf 1 --deployment {}", kPlatforms,
                               write("d.xml", fmt::format(fmt::runtime(deployment), "")).string() + " --seed 18446744073709551616"),
                   "--seed");
}

// Messages: each one line naming the file and line, and the README's own
// link example works on the shipped platform.
TEST_F(Hardening, MessagesNameTheFileAndLine)
{
  const CommandResult twice = replisim("run --nodes 3 --ops 20 --faults " +
                                       write("f.toml", "[[crash]]\nnode = 1\nat = \"2s:1s\"\n").string() + " --out " +
                                       (dir_ / "out").string());
  expect_refused(twice, "f.toml:3: crash.at");
  EXPECT_EQ(twice.err.find("f.toml:3: " + (dir_ / "f.toml").string()), std::string::npos) << twice.err;
  write("garbage.txt", "0 1\nabc\n");
  expect_bad_input("run --ops 20 --rf 2 --platform " + platform("state_file=\"garbage.txt\"").string(),
                   "garbage.txt':2: 'abc' is not TIME VALUE");
  expect_bad_input("run --ops 20 --rf 2 --platform " +
                       platform("state_file=\"" + (dir_ / "garbage.txt").string() + "\"").string(),
                   "an absolute path");
  const fs::path link = write("link.toml", "[[link]]\nlink = \"n3-link\"\ndown = \"10ms\"\nup = \"20ms\"\n");
  const CommandResult r = replisim(fmt::format("run --platform {}/three_dc_wan.xml --ops 20 --faults {} --out {}",
                                               kPlatforms, link.string(), (dir_ / "out").string()));
  EXPECT_EQ(r.status, 0) << r.err;
}

}  // namespace hardening_test
}  // namespace replisim::test
