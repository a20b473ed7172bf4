// --dry-run on run, placement and bench: everything a real run checks is
// checked, nothing is simulated or written, one line says what would run;
// bad input gives the real run's own one-line error and exit status 2.
#include "support/bad_input.hpp"

#include <fmt/format.h>

namespace dry_run_test {

namespace fs = std::filesystem;
using replisim::test::CommandResult;

class DryRun : public replisim::test::BadInputTest {
protected:
  // Exit 0, one line on stdout that starts with `start` and ends with ": ok",
  // nothing on stderr.
  static void expect_ok(const CommandResult& r, const std::string& start)
  {
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    EXPECT_EQ(r.out.rfind(start, 0), 0u) << r.out;
    EXPECT_NE(r.out.find(": ok\n"), std::string::npos) << r.out;
  }

  // The same arguments with --dry-run and without: both exit 2 with the
  // same one line, naming `what`; neither leaves anything behind.
  void expect_same_error(const std::string& subcommand, const std::string& args, const std::string& what)
  {
    const CommandResult dry = replisim(subcommand + " --dry-run " + args);
    expect_refused(dry, what);
    const CommandResult real = replisim(subcommand + " " + args);
    EXPECT_EQ(real.status, 2) << real.err;
    EXPECT_EQ(dry.err, real.err) << args;
    EXPECT_TRUE(files_left().empty()) << args;
  }
};

TEST_F(DryRun, RunSaysWhatWouldRunAndWritesNothing)
{
  const fs::path out = dir_ / "new" / "out";
  const CommandResult r =
      replisim(fmt::format("run --dry-run --ops 10000 --out {} --roles-dot {}/roles.dot", out.string(), dir_.string()));
  expect_ok(r, "replisim run: dry run: leader-follower on 9 nodes (generated star), 3 clients, 10000 ops");
  EXPECT_NE(r.out.find(out.string()), std::string::npos) << r.out;
  EXPECT_TRUE(files_left().empty());
}

TEST_F(DryRun, RunChecksThePlatformDeploymentAndFaultFiles)
{
  std::ofstream(dir_ / "faults.toml") << "[[crash]]\nnode = 1\nat = \"1s\"\nrecover = \"2s\"\n";
  std::ofstream(dir_ / "deployment.xml")
      << "<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
         "<platform version=\"4.1\">\n"
         "  <actor host=\"n0\" function=\"replisim-node\"/>\n"
         "  <actor host=\"n3\" function=\"replisim-node\"/>\n"
         "  <actor host=\"n6\" function=\"replisim-node\"/>\n"
         "  <actor host=\"client0\" function=\"replisim-client\"/>\n"
         "</platform>\n";
  const std::string platform = std::string(REPLISIM_PLATFORMS) + "/three_dc_wan.xml";
  const CommandResult r = replisim(fmt::format("run --dry-run --platform {} --deployment {}/deployment.xml --faults "
                                               "{}/faults.toml --ops 500",
                                               platform, dir_.string(), dir_.string()));
  expect_ok(r, fmt::format("replisim run: dry run: leader-follower on 3 nodes (platform '{}', deployment", platform));
  EXPECT_NE(r.out.find("1 clients, 500 ops, faults"), std::string::npos) << r.out;
  fs::remove(dir_ / "faults.toml");
  fs::remove(dir_ / "deployment.xml");
  EXPECT_TRUE(files_left().empty());
}

TEST_F(DryRun, RunRefusesWhatARealRunRefusesWithTheSameLine)
{
  std::ofstream(dir_ / "file") << "mine";
  std::ofstream(dir_ / "bad-faults.toml") << "[[crash]]\nnode = 42\nat = \"1s\"\n";
  const std::string data = REPLISIM_TEST_DATA;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--ops -5", "--ops"},
      {"--nodes 3 --rf 5", "--rf"},
      {"--model nosuch", "--model"},
      {"--platform " + data + "/malformed.xml", "malformed.xml"},
      {"--platform " + data + "/no-such.xml", "no-such.xml"},
      {"--faults " + dir_.string() + "/no-such.toml", "no-such.toml"},
      {"--faults " + dir_.string() + "/bad-faults.toml", "node 42"},
      {"--deployment " + dir_.string() + "/file", "deployment file"},
      {"--out " + dir_.string() + "/file", "--out"},
      {"--out " + dir_.string() + "/file/sub", "--out"},
      {"--roles-dot " + dir_.string(), "--roles-dot"},
      {"--cfg=no/such:1", "--cfg=no/such:1"},
  };
  for (const auto& [args, what] : cases) {
    SCOPED_TRACE(args);
    const CommandResult dry = replisim("run --dry-run --ops 10 " + args);
    expect_refused(dry, what);
    const CommandResult real = replisim("run --ops 10 " + args);
    EXPECT_EQ(real.status, 2) << real.err;
    EXPECT_EQ(dry.err, real.err);
  }
  EXPECT_EQ(files_left(), (std::vector<std::string>{"bad-faults.toml", "file"}));
}

TEST_F(DryRun, PlacementSaysWhatWouldPrintAndPrintsNoPlacement)
{
  const CommandResult r = replisim("placement --dry-run --model partitioned --nodes 5 --units 10 --rf 3");
  expect_ok(r, "replisim placement: dry run: partitioned on 5 nodes (generated star), 10 units: ok");
  EXPECT_EQ(r.out.find("unit,leader,replicas"), std::string::npos);
  expect_same_error("placement", "--model partitioned --nodes 2 --rf 3", "--rf");
  expect_same_error("placement", "--model partitioned --start-index 9 --nodes 5", "--start-index");
  EXPECT_TRUE(files_left().empty());
}

TEST_F(DryRun, ADeploymentFileCannotAskForADryRun)
{
  std::ofstream(dir_ / "deployment.xml")
      << "<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
         "<platform version=\"4.1\">\n"
         "  <actor host=\"n0\" function=\"replisim-node\"><prop id=\"dry-run\" value=\"1\"/></actor>\n"
         "</platform>\n";
  const CommandResult r = replisim(fmt::format("run --platform {}/three_dc_wan.xml --deployment {}/deployment.xml",
                                               REPLISIM_PLATFORMS, dir_.string()));
  expect_refused(r, "'dry-run' is not a replisim run flag");
}

TEST_F(DryRun, BenchChecksEveryCaseAndMeasuresNothing)
{
  const fs::path csv = dir_ / "bench.csv";
  const CommandResult r = replisim(fmt::format(
      "bench --dry-run --models leader-follower,partitioned --nodes-list 3,6 --ops 100 --csv {}", csv.string()));
  expect_ok(r, "replisim bench: dry run: 2 models × 2 node counts (3, 6) × without and with 20us costs = 8 cases");
  EXPECT_TRUE(files_left().empty());

  for (const auto& [args, what] : std::vector<std::pair<std::string, std::string>>{
           {"--repeat 0", "--repeat"},
           {"--models nosuch", "--models"},
           {"--nodes-list 0", "--nodes-list"},
           {"--cost 0us", "--cost"},
           {"--csv " + dir_.string(), "--csv"},
           {"--csv " + dir_.string() + "/no/such/bench.csv", "--csv"},
       }) {
    SCOPED_TRACE(args);
    expect_refused(replisim("bench --dry-run --models leader-follower --nodes-list 3 " + args), what);
  }
  // Every case runs rf 3: fewer nodes is refused before any case is checked.
  const CommandResult one = replisim("bench --dry-run --models leader-follower --nodes-list 1");
  expect_refused(one, "--nodes-list: 1 is out of range: must be in [3, 10000]");
  EXPECT_TRUE(files_left().empty());
}

}  // namespace dry_run_test
