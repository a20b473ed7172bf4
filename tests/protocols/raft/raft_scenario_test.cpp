// Raft scenarios as scripts: every testdata/*.txt file is one test
// (Testdata/RaftScenario.Runs/<file name>), its commands run on a cluster of
// LeaderFollowerNodes with Raft failover and each output compared with the
// block the file expects. The commands are in support/election_scenario.hpp,
// the file format in support/scenario_runner.hpp; REPLISIM_REWRITE=1
// rewrites the expected blocks from what the commands print.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/election_scenario.hpp"
#include "support/scenario_runner.hpp"

namespace replisim {
namespace raft_scenario_test {

std::vector<std::string> scenario_files()
{
  std::vector<std::string> files;
  for (const auto& path : test::scenario_files(REPLISIM_RAFT_SCENARIOS))
    files.push_back(path.string());
  return files;
}

class RaftScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(RaftScenario, Runs)
{
  test::ElectionScenario scenario;
  test::run_scenario_file(GetParam(), [&](const test::ScenarioCommand& command) { return scenario.run(command); });
}

// A test's name is its file's: Testdata/RaftScenario.Runs/leader_crash for leader_crash.txt.
std::string file_name(const ::testing::TestParamInfo<std::string>& file)
{
  return std::filesystem::path(file.param).stem().string();
}

INSTANTIATE_TEST_SUITE_P(Testdata, RaftScenario, ::testing::ValuesIn(scenario_files()), file_name);

}  // namespace raft_scenario_test
}  // namespace replisim
