// SimGrid deployment files as the way to say which hosts run nodes and
// clients: a run from one, per-actor settings, settings the command line
// overrides, and the one-line error that names the file and the actor.
#include <gtest/gtest.h>

#include "support/command.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace deployment_test {

using replisim::test::slurp;
using Result = replisim::test::CommandResult;

const std::string kWan = REPLISIM_PLATFORMS "/three_dc_wan.xml";

// Chain replication on one node of each datacenter of the WAN, a client in two.
constexpr const char* kChain = R"(<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<platform version="4.1">
  <actor host="n0" function="replisim-node"><prop id="model" value="chain"/><prop id="threads" value="3"/></actor>
  <actor host="n3" function="replisim-node"><prop id="model" value="chain"/><argument value="rf=3"/></actor>
  <actor host="n6" function="replisim-node"><prop id="model" value="chain"/><prop id="zone" value="europe"/></actor>
  <actor host="client0" function="replisim-client"/>
  <actor host="client1" function="replisim-client"/>
</platform>
)";

class Deployment : public replisim::test::ScratchDirTest {
protected:
  fs::path write(const std::string& name, const std::string& xml)
  {
    const fs::path path = dir_ / name;
    std::ofstream(path) << xml;
    return path;
  }
  Result run(const fs::path& deployment, const std::string& more = "")
  {
    return replisim(fmt::format("run --platform {} --deployment {} --ops 300 --out {} {}", kWan, deployment.string(),
                                (dir_ / "out").string(), more));
  }
  std::vector<std::vector<std::string>> csv(const std::string& name)
  {
    std::istringstream in(slurp(dir_ / "out" / name));
    std::vector<std::vector<std::string>> rows;
    for (std::string line; std::getline(in, line);) {
      std::vector<std::string> cells;
      std::istringstream l(line);
      for (std::string cell; std::getline(l, cell, ',');)
        cells.push_back(cell);
      rows.push_back(cells);
    }
    return rows;
  }
  std::string summary(const std::string& column)
  {
    const auto rows = csv("summary.csv");
    for (std::size_t i = 0; i < rows[0].size(); ++i)
      if (rows[0][i] == column)
        return i < rows[1].size() ? rows[1][i] : "";
    return "(no column)";
  }
  // Exit 2, one line naming `what`, no output.
  void expect_bad(const std::string& xml, const std::string& what)
  {
    const Result r = run(write("bad.xml", xml));
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("bad.xml"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "out"));
  }
};

TEST_F(Deployment, NodesAndClientsComeFromTheFileInItsOrder)
{
  const Result r = run(write("chain.xml", kChain));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto roles = csv("roles.csv");
  ASSERT_EQ(roles.size(), 4u);  // header and three nodes
  EXPECT_EQ(roles[1][1], "n0");
  EXPECT_EQ(roles[2][1], "n3");
  EXPECT_EQ(roles[3][1], "n6");
  EXPECT_EQ(roles[1][2], "us-east");  // its enclosing zone
  EXPECT_EQ(roles[3][2], "europe");   // its prop
  EXPECT_EQ(roles[1][13], "3");       // threads
  EXPECT_EQ(roles[2][13], "1");
  EXPECT_EQ(summary("model"), "chain");
  EXPECT_EQ(summary("clients"), "2");  // one per replisim-client actor
}

// The head of each chain leads, the tail is its primary: on three nodes with
// three chains, every node leads one unit and is the primary of another.
TEST_F(Deployment, ChainFromADeploymentSplitsLeaderAndPrimaryOnEveryUnit)
{
  ASSERT_EQ(run(write("chain.xml", kChain)).status, 0);
  EXPECT_EQ(summary("leader_is_primary_fraction"), "0.000000");
  const auto roles = csv("roles.csv");
  for (std::size_t n = 1; n < roles.size(); ++n) {
    EXPECT_EQ(roles[n][3], "1") << "primary_units of " << roles[n][1];
    EXPECT_EQ(roles[n][5], "1") << "leader_units of " << roles[n][1];
  }
}

TEST_F(Deployment, TheCommandLineWinsOverTheFile)
{
  ASSERT_EQ(run(write("chain.xml", kChain), "--model partitioned --clients 1").status, 0);
  EXPECT_EQ(summary("model"), "partitioned");
  EXPECT_EQ(summary("clients"), "1");
}

TEST_F(Deployment, AnUnknownHostNamesTheActor)
{
  expect_bad(R"(<platform version="4.1"><actor host="n99" function="replisim-node"/></platform>)",
             "actor 1 (replisim-node on 'n99'): host 'n99' is not in the platform");
}

TEST_F(Deployment, AFunctionThatIsNotReplisimsIsRefused)
{
  expect_bad(R"(<platform version="4.1"><actor host="n0" function="worker"/></platform>)", "function 'worker'");
}

TEST_F(Deployment, NodesMustAgreeOnARunFlag)
{
  expect_bad(R"(<platform version="4.1">
  <actor host="n0" function="replisim-node"><prop id="model" value="chain"/></actor>
  <actor host="n1" function="replisim-node"><prop id="model" value="leaderless"/></actor></platform>)",
             "actor 2 (replisim-node on 'n1'): model='leaderless', but actor 1");
}

TEST_F(Deployment, APropThatIsNoFlagIsRefused)
{
  expect_bad(R"(<platform version="4.1"><actor host="n0" function="replisim-node"><prop id="colour" value="red"/></actor></platform>)",
             "'colour' is not a replisim run flag");
}

TEST_F(Deployment, ABadFlagValueNamesTheFileAndTheActor)
{
  expect_bad(R"(<platform version="4.1"><actor host="n0" function="replisim-node"><prop id="model" value="paxos"/></actor></platform>)",
             "actor 1 (replisim-node on 'n0'): --model: unknown model 'paxos'");
}

TEST_F(Deployment, MalformedXmlNamesTheLine)
{
  expect_bad("<platform version=\"4.1\">\n<actor host=\"n0\" function=\"replisim-node\">\n</platform>\n", "bad.xml:");
}

TEST_F(Deployment, BadThreadsAndRepeatedNodeHostsAreRefused)
{
  expect_bad(R"(<platform version="4.1"><actor host="n0" function="replisim-node"><prop id="threads" value="0"/></actor></platform>)",
             "threads '0'");
  expect_bad(R"(<platform version="4.1"><actor host="n0" function="replisim-node"/><actor host="n0" function="replisim-node"/></platform>)",
             "host 'n0' already runs a node");
}

TEST_F(Deployment, AnOldVersionAndAFileWithoutNodesAreRefused)
{
  expect_bad(R"(<platform version="3"><actor host="n0" function="replisim-node"/></platform>)", "version '3'");
  expect_bad(R"(<platform version="4.1"><actor host="client0" function="replisim-client"/></platform>)",
             "no actor runs replisim-node");
}

TEST_F(Deployment, NeedsAPlatform)
{
  const Result r = replisim(fmt::format("run --deployment {} --out {}", write("chain.xml", kChain).string(),
                                        (dir_ / "out").string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--deployment: needs --platform"), std::string::npos) << r.err;
}

}  // namespace deployment_test
