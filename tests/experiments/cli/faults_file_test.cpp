// --faults FILE as users meet it: a bad fault file is one line naming the
// file, its line and the key, exit 2, nothing written.
#include <gtest/gtest.h>

#include "support/command.hpp"

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace faults_file_test {

using Result = replisim::test::CommandResult;

class FaultsFile : public replisim::test::ScratchDirTest {
protected:
  void expect_bad(const std::string& toml, const std::string& what)
  {
    const fs::path file = dir_ / "faults.toml";
    std::ofstream(file) << toml;
    const Result r = replisim(fmt::format("run --nodes 3 --ops 50 --faults {} --out {}", file.string(),
                                          (dir_ / "out").string()));
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "out"));
  }
};

TEST_F(FaultsFile, AGoodFileRunsAndWritesTheTimeline)
{
  std::ofstream(dir_ / "faults.toml") << "[[crash]]\nnode = 0\nat = \"50ms\"\nrecover = \"100ms\"\n";
  const Result r = replisim(fmt::format("run --nodes 3 --ops 50 --faults {} --out {}",
                                        (dir_ / "faults.toml").string(), (dir_ / "out").string()));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir_ / "out" / "roles_timeline.csv"));
}

TEST_F(FaultsFile, AnUnknownKeyNamesItsLine) { expect_bad("[[crash]]\nnode = 0\nwhen = \"1s\"\n", "faults.toml:3: crash: unknown key 'when'"); }
TEST_F(FaultsFile, ABadTimeNamesTheKey) { expect_bad("[[crash]]\nnode = 0\nat = \"ten\"\n", "faults.toml:3:"); }
TEST_F(FaultsFile, ACrashNeedsAHostOrANode) { expect_bad("[[crash]]\nat = \"1s\"\n", "give host (a name) or node"); }
TEST_F(FaultsFile, AnUnknownHostIsNamed) { expect_bad("[[crash]]\nhost = \"n99\"\nat = \"1s\"\n", "no host 'n99'"); }
TEST_F(FaultsFile, ANodeOutsideTheRunIsNamed) { expect_bad("[[crash]]\nnode = 7\nat = \"1s\"\n", "no node 7"); }
TEST_F(FaultsFile, RecoveryComesAfterTheCrash) { expect_bad("[[crash]]\nnode = 0\nat = \"2s\"\nrecover = \"1s\"\n", "recover must come after"); }
TEST_F(FaultsFile, APartitionHasTwoSides) { expect_bad("[[partition]]\nsides = [[\"node0\"]]\nfrom = \"1s\"\n", "partition.sides"); }
TEST_F(FaultsFile, APartitionNamesHostsOrZones) { expect_bad("[[partition]]\nsides = [[\"node0\"], [\"mars\"]]\nfrom = \"1s\"\n", "'mars' is neither a host nor a zone"); }
TEST_F(FaultsFile, APauseEnds) { expect_bad("[[pause]]\nnode = 0\nat = \"1s\"\n", "faults.toml:1: pause: needs resume"); }
TEST_F(FaultsFile, APauseResumesAfterItStarts) { expect_bad("[[pause]]\nnode = 0\nat = \"2s\"\nresume = \"1s\"\n", "resume must come after"); }
TEST_F(FaultsFile, APausedHostIsANodeHost) { expect_bad("[[pause]]\nhost = \"client0\"\nat = \"1s\"\nresume = \"2s\"\n", "no node host 'client0'"); }
TEST_F(FaultsFile, AnUnknownSectionIsRefused) { expect_bad("[[meteor]]\nat = \"1s\"\n", "unknown key 'meteor'"); }
TEST_F(FaultsFile, MalformedTomlNamesTheLine) { expect_bad("[[crash]\nnode = 0\n", "faults.toml:1:"); }
TEST_F(FaultsFile, ADirectoryIsNotAFaultFile)
{
  fs::create_directory(dir_ / "d");
  const Result r = replisim(fmt::format("run --nodes 3 --ops 50 --faults {}", (dir_ / "d").string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--faults:"), std::string::npos) << r.err;
}

}  // namespace faults_file_test
