// replisim sweep refuses, before anything is written and in one line: a bad
// spec or flag, a spec too large to run or to count, a spec that is no TOML
// file, and an --out that holds something else (another sweep, a user's own
// files, or a file), which it leaves as it was.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "experiments/output/csv.hpp"
#include "support/command.hpp"
#include "support/sweep_command.hpp"

namespace fs = std::filesystem;
using replisim::CsvRecord;
using replisim::csv_line;
using replisim::parse_csv;

namespace sweep_refusals_test {

using replisim::test::axes_spec;
using replisim::test::kSpec;
using replisim::test::slurp;
using replisim::test::SweepCommand;
using replisim::test::tree;
using Result = replisim::test::CommandResult;

TEST_F(SweepCommand, BadSpecExitsTwoWithOneLineAndWritesNothing)
{
  const fs::path out = dir_ / "out";
  const fs::path file = spec("[sweep]\nseeds = [1]\n\n[axes]\nnodez = [3, 6]\n");
  const Result r = replisim(fmt::format("sweep {} --out {}", file.string(), out.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, fmt::format("replisim: error: {}:5: axes.nodez: not a replisim run flag (see replisim run --help)\n",
                               file.string()));
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(SweepCommand, BadFlagsExitTwoAndWriteNothing)
{
  const fs::path out = dir_ / "out";
  for (const char* flags : {"--shard 4/3", "--jobs 0", "--shard x"}) {
    const Result r = replisim(fmt::format("sweep {} --out {} {}", spec(kSpec).string(), out.string(), flags));
    EXPECT_EQ(r.status, 2) << flags;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(fs::exists(out)) << flags;
  }
}

TEST_F(SweepCommand, ADifferentSpecIntoTheSameDirectoryIsAnError)
{
  const fs::path out = dir_ / "out";
  ASSERT_EQ(replisim(fmt::format("sweep {} --out {}", spec(kSpec).string(), out.string())).status, 0);
  const std::string before = slurp(out / "summary.csv");
  std::string other = kSpec;
  other.replace(other.find("ops = 200"), 9, "ops = 201");
  const Result r = replisim(fmt::format("sweep {} --out {}", spec(other, "other.toml").string(), out.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("different sweep"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(out / "summary.csv"), before);
}

TEST_F(SweepCommand, ADirectoryThatHoldsSomethingElseIsRefused)
{
  const fs::path out = dir_ / "out";
  fs::create_directories(out);
  std::ofstream(out / "notes.txt") << "mine";
  const Result r = replisim(fmt::format("sweep {} --out {}", spec(kSpec).string(), out.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(fs::directory_iterator(out)->path().filename(), "notes.txt");
  EXPECT_EQ(std::distance(fs::directory_iterator(out), fs::directory_iterator()), 1);
}

TEST_F(SweepCommand, ATrillionPointSpecIsRefusedAtOnceWithOneLine)
{
  const fs::path file = spec(axes_spec({"ops", "clients", "keys", "rf"}, 1000));  // 10^12 points
  const fs::path out = dir_ / "out";
  const Result r = replisim(fmt::format("sweep {} --out {}", file.string(), out.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, fmt::format("replisim: error: {}: 1,000,000,000,000 jobs (4 axes of 1,000 × 1,000 × 1,000 × 1,000 "
                               "values × 1 seed) is more than the 1,000,000 a sweep may run\n",
                               file.string()));
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(SweepCommand, ASpecWhoseJobCountOverflowsIsRefused)
{
  // 256^8 = 2^64 jobs: a count that wraps says 0, and "0 jobs" would exit 0.
  const fs::path file = spec(axes_spec({"ops", "clients", "keys", "rf", "nodes", "units", "leaders", "vnodes"}, 256));
  const fs::path out = dir_ / "out";
  const Result r = replisim(fmt::format("sweep {} --out {}", file.string(), out.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind(fmt::format("replisim: error: {}: more jobs than a 64-bit count holds", file.string()), 0), 0u)
      << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(SweepCommand, ASpecThatIsADirectoryMissingOrNotTomlIsRefused)
{
  fs::create_directories(dir_ / "specs");
  std::ofstream(dir_ / "table.csv") << "model,nodes\nleader-follower,3\n";
  std::ofstream(dir_ / "image.toml", std::ios::binary) << std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  for (const fs::path& file : {dir_ / "specs", dir_ / "missing.toml", dir_ / "table.csv", dir_ / "image.toml"}) {
    const fs::path out = dir_ / "out";
    const Result r = replisim(fmt::format("sweep {} --out {}", file.string(), out.string()));
    EXPECT_EQ(r.status, 2) << file;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("replisim: error: " + file.string() + ":", 0), 0u) << r.err;
    EXPECT_FALSE(fs::exists(out)) << file;
  }
}

TEST_F(SweepCommand, AUsersOwnSpecTomlInOutIsLeftAsItIs)
{
  const fs::path out = dir_ / "out";
  fs::create_directories(out);
  const std::string mine = "# my notes for this study\n[fixed]\nops = 999\n";
  std::ofstream(out / "spec.toml") << mine;
  const Result r = replisim(fmt::format("sweep {} --out {}", spec(kSpec).string(), out.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("--out"), std::string::npos) << r.err;
  EXPECT_EQ(tree(out), (std::map<std::string, std::string>{{(out / "spec.toml").string(), mine}}));
}

TEST_F(SweepCommand, ASummaryOrRowsWithoutASweepIdAreLeftAsTheyAre)
{
  for (const char* name : {"summary.csv", "rows/000000.csv"}) {
    const fs::path out = dir_ / "out";
    fs::remove_all(out);
    fs::create_directories((out / name).parent_path());
    std::ofstream(out / name) << "mine\n";
    const auto before = tree(out);
    const Result r = replisim(fmt::format("sweep {} --out {}", spec(kSpec).string(), out.string()));
    EXPECT_EQ(r.status, 2) << name;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(tree(out), before) << name;
  }
}

TEST_F(SweepCommand, AnOutThatIsAFileIsRefused)
{
  const fs::path out = dir_ / "results.csv";
  std::ofstream(out) << "mine\n";
  for (const fs::path& target : {out, out / "sub"}) {
    const Result r = replisim(fmt::format("sweep {} --out {}", spec(kSpec).string(), target.string()));
    EXPECT_EQ(r.status, 2) << target;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("replisim: error: --out: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("'" + target.string() + "'"), std::string::npos) << r.err;
    EXPECT_EQ(slurp(out), "mine\n");
  }
}

}  // namespace sweep_refusals_test
