// replisim --version, and the two columns that end every summary.csv: the
// replisim that wrote it and the version of its columns.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "support/command.hpp"

namespace versions_test {

namespace fs = std::filesystem;
using replisim::test::CommandResult;
using replisim::test::slurp;
using Versions = replisim::test::ScratchDirTest;

TEST_F(Versions, VersionIsTheProjectVersion)
{
  const CommandResult r = replisim("--version");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, fmt::format("replisim {}\n", REPLISIM_VERSION));
}

TEST_F(Versions, RunSummaryEndsWithTheVersionColumns)
{
  const fs::path out = dir_ / "out";
  const CommandResult r = replisim(fmt::format("run --ops 50 --out {}", out.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string summary = slurp(out / "summary.csv");
  const std::string header = summary.substr(0, summary.find('\n'));
  EXPECT_TRUE(header.ends_with(",seed,replisim_version,schema_version")) << header;
  EXPECT_EQ(replisim::test::summary_value(summary, "replisim_version"), REPLISIM_VERSION);
  EXPECT_EQ(replisim::test::summary_value(summary, "schema_version"), "3");
}

}  // namespace versions_test
