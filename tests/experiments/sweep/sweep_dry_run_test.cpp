// replisim sweep --dry-run: the spec, --out and every point's run flags
// checked as the sweep would check them, nothing run or written.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "experiments/output/csv.hpp"
#include "support/command.hpp"
#include "support/sweep_command.hpp"

namespace fs = std::filesystem;
using replisim::parse_csv;

namespace sweep_dry_run_test {

using replisim::test::slurp;
using Result = replisim::test::CommandResult;

using replisim::test::kSpec;

class SweepDryRun : public replisim::test::SweepCommand {
protected:
  // Every file under the scratch directory, hidden ones included.
  std::vector<std::string> files_left() const
  {
    std::vector<std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir_))
      files.push_back(fs::relative(entry.path(), dir_).string());
    std::sort(files.begin(), files.end());
    return files;
  }

  static void expect_one_line_error(const Result& r, const std::string& what)
  {
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("replisim: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
  }
};

TEST_F(SweepDryRun, ValidSpecSaysWhatWouldRunAndWritesNothing)
{
  const fs::path file = spec(kSpec);
  const fs::path out = dir_ / "new" / "out";
  const Result r = replisim(fmt::format("sweep --dry-run {} --out {} --jobs 2", file.string(), out.string()));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, fmt::format("replisim sweep: dry run: {}: 8 jobs (4 points × 2 seeds), 2 at once, into {}; the "
                               "run flags of all 4 points are valid: ok\n",
                               file.string(), out.string()));
  EXPECT_EQ(files_left(), std::vector<std::string>{"spec.toml"});
}

TEST_F(SweepDryRun, AShardAndAResumedSweepAreCounted)
{
  const fs::path file = spec(kSpec);
  const fs::path out = dir_ / "out";
  ASSERT_EQ(replisim(fmt::format("sweep {} --out {} --shard 1/2", file.string(), out.string())).status, 0);
  const std::vector<std::string> before = files_left();
  const Result r = replisim(fmt::format("sweep --dry-run {} --out {} --jobs 1", file.string(), out.string()));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("8 jobs (4 points × 2 seeds), 4 already done, 1 at once"), std::string::npos) << r.out;
  const Result shard =
      replisim(fmt::format("sweep --dry-run {} --out {} --shard 2/2 --jobs 2", file.string(), out.string()));
  EXPECT_EQ(shard.status, 0) << shard.err;
  EXPECT_NE(shard.out.find("4 jobs (shard 2/2 of 8 jobs: 4 points × 2 seeds), 2 at once"), std::string::npos)
      << shard.out;
  EXPECT_EQ(files_left(), before);
}

TEST_F(SweepDryRun, APointARunWouldRefuseFailsTheDryRunNamingIt)
{
  const fs::path file = spec("[fixed]\nops = 100\nrf = 5\n[axes]\nmodel = [\"leader-follower\", \"partitioned\"]\n"
                             "nodes = [3, 6]\n");
  const fs::path out = dir_ / "out";
  const Result r = replisim(fmt::format("sweep --dry-run {} --out {}", file.string(), out.string()));
  expect_one_line_error(r, fmt::format("{}: point 0 of 4 (model=leader-follower nodes=3) cannot run: --rf: 5 is "
                                       "larger than the node count (3) (and 1 more of the 4 points checked)",
                                       file.string()));
  EXPECT_EQ(files_left(), std::vector<std::string>{"spec.toml"});

  // A value only the run's own flags refuse, and a platform file that does not load.
  for (const std::string& axis : {std::string("latency = [\"1ms\", \"fast\"]"),
                                  std::string("platform = [\"no-such-platform.xml\"]")}) {
    SCOPED_TRACE(axis);
    const fs::path bad = spec("[fixed]\nops = 100\n[axes]\n" + axis + "\n", "bad.toml");
    expect_one_line_error(replisim(fmt::format("sweep --dry-run {} --out {}", bad.string(), out.string())),
                          "cannot run: ");
    EXPECT_FALSE(fs::exists(out));
  }
}

TEST_F(SweepDryRun, BadSpecFlagsAndOutAreTheRealSweepsErrors)
{
  const fs::path out = dir_ / "out";
  const fs::path bad_key = spec("[axes]\nnodez = [3, 6]\n", "bad.toml");
  const Result dry = replisim(fmt::format("sweep --dry-run {} --out {}", bad_key.string(), out.string()));
  const Result real = replisim(fmt::format("sweep {} --out {}", bad_key.string(), out.string()));
  expect_one_line_error(dry, "axes.nodez: not a replisim run flag");
  EXPECT_EQ(dry.err, real.err);
  expect_one_line_error(replisim(fmt::format("sweep --dry-run {} --out {}",
                                             spec("[fixed]\ndry-run = true\n", "dry.toml").string(), out.string())),
                        "fixed.dry-run: not a run parameter");
  for (const char* flags : {"--shard 4/3", "--jobs 0"})
    expect_one_line_error(replisim(fmt::format("sweep --dry-run {} --out {} {}", spec(kSpec).string(), out.string(), flags)),
                          std::string(flags).substr(0, std::string(flags).find(' ')));
  EXPECT_FALSE(fs::exists(out));

  // An --out that holds something else, or another sweep.
  fs::create_directories(out);
  std::ofstream(out / "notes.txt") << "mine";
  expect_one_line_error(replisim(fmt::format("sweep --dry-run {} --out {}", spec(kSpec).string(), out.string())),
                        "is not empty and holds no sweep");
  fs::remove(out / "notes.txt");
  ASSERT_EQ(replisim(fmt::format("sweep {} --out {} --shard 1/8", spec(kSpec).string(), out.string())).status, 0);
  std::string other = kSpec;
  other.replace(other.find("ops = 200"), 9, "ops = 201");
  expect_one_line_error(replisim(fmt::format("sweep --dry-run {} --out {}", spec(other, "other.toml").string(), out.string())),
                        "different sweep");
  std::ofstream(dir_ / "file") << "mine";
  expect_one_line_error(replisim(fmt::format("sweep --dry-run {} --out {}/file/sub", spec(kSpec).string(), dir_.string())),
                        "--out");
}

// How long it takes is the bench's business, not a test's: docs/running.md gives the figure.
TEST_F(SweepDryRun, AThousandPointsAreEachChecked)
{
  std::string values;
  for (int keys = 1; keys <= 1000; ++keys)
    values += fmt::format("{}{}", keys == 1 ? "" : ", ", keys);
  const fs::path file = spec("[sweep]\nseeds = [1, 2, 3]\n[fixed]\nops = 1000\nnodes = 9\n[axes]\nkeys = [" + values + "]\n");
  const Result r = replisim(fmt::format("sweep --dry-run {} --out {}/out", file.string(), dir_.string()));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("3000 jobs (1000 points × 3 seeds)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the run flags of all 1000 points are valid: ok"), std::string::npos) << r.out;
  EXPECT_EQ(files_left(), std::vector<std::string>{"spec.toml"});
}

}  // namespace sweep_dry_run_test
