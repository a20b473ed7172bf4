// Sweeps in shards and replisim merge: shards merged into the one-machine
// summary, a merge that names the jobs missing or refuses directories of
// different sweeps, a shard of a million jobs run without expanding the
// others, and a merge --out that cannot be written leaving nothing behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <sys/resource.h>

#include <fmt/format.h>

#include "experiments/output/csv.hpp"
#include "support/command.hpp"
#include "support/sweep_command.hpp"

namespace fs = std::filesystem;
using replisim::CsvRecord;
using replisim::csv_line;
using replisim::parse_csv;

namespace sweep_merge_test {

using replisim::test::axes_spec;
using replisim::test::kSpec;
using replisim::test::slurp;
using replisim::test::SweepCommand;
using replisim::test::tree;
using Result = replisim::test::CommandResult;

TEST_F(SweepCommand, MergedShardsEqualTheOneMachineSummary)
{
  const fs::path file = spec(kSpec);
  const fs::path whole = dir_ / "whole";
  ASSERT_EQ(replisim(fmt::format("sweep {} --out {} --jobs 2", file.string(), whole.string())).status, 0);
  std::string shards;
  for (int k = 1; k <= 3; ++k) {
    const fs::path shard = dir_ / fmt::format("shard-{}", k);
    ASSERT_EQ(replisim(fmt::format("sweep {} --shard {}/3 --out {}", file.string(), k, shard.string())).status, 0);
    EXPECT_EQ(row_files(shard), k == 3 ? 2u : 3u);
    shards += " " + shard.string();
  }
  const fs::path merged = dir_ / "merged" / "summary.csv";
  const Result r = replisim(fmt::format("merge{} --out {}", shards, merged.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(without_wall_time(merged), without_wall_time(whole / "summary.csv"));

  // Merge is a function of the rows: one directory merges to its own summary, byte for byte.
  const fs::path again = dir_ / "again.csv";
  ASSERT_EQ(replisim(fmt::format("merge {} --out {}", whole.string(), again.string())).status, 0);
  EXPECT_EQ(slurp(again), slurp(whole / "summary.csv"));
}

TEST_F(SweepCommand, MergeNamesTheMissingJobs)
{
  const fs::path file = spec(kSpec);
  for (int k = 1; k <= 2; ++k)
    ASSERT_EQ(replisim(fmt::format("sweep {} --shard {}/3 --out {}/shard-{}", file.string(), k, dir_.string(), k)).status, 0);
  const fs::path merged = dir_ / "merged.csv";
  const Result r = replisim(fmt::format("merge {0}/shard-1 {0}/shard-2 --out {1}", dir_.string(), merged.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("2 of the sweep's 8 jobs"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("job 2 (model=leader-follower nodes=6"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("5 (model=partitioned nodes=3"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(merged));
}

TEST_F(SweepCommand, MergeRefusesDirectoriesOfDifferentSweeps)
{
  std::string other = kSpec;
  other.replace(other.find("seeds = [1, 2]"), 14, "seeds = [1, 3]");
  ASSERT_EQ(replisim(fmt::format("sweep {} --out {}/a", spec(kSpec).string(), dir_.string())).status, 0);
  ASSERT_EQ(replisim(fmt::format("sweep {} --out {}/b", spec(other, "other.toml").string(), dir_.string())).status, 0);
  const Result r = replisim(fmt::format("merge {0}/a {0}/b --out {0}/m.csv", dir_.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("another sweep"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "m.csv"));
}

TEST_F(SweepCommand, AShardOfAMillionJobsRunsItsOwnWithoutExpandingTheRest)
{
  const fs::path file = spec("[fixed]\nrf = 1\n" + axes_spec({"ops", "clients", "keys"}, 100));  // 100^3 jobs
  const fs::path out = dir_ / "out";
  const Result r = replisim(fmt::format("sweep {} --out {} --shard 1/1000000", file.string(), out.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("1 jobs (shard 1/1000000 of 1000000)"), std::string::npos) << r.err;
  EXPECT_EQ(row_files(out), 1u);
  EXPECT_EQ(parse_csv(slurp(out / "summary.csv")).size(), 2u);
  EXPECT_NE(slurp(out / "sweep-id").find("jobs 1000000"), std::string::npos);
#ifndef REPLISIM_SANITIZED  // ASan's quarantine keeps up to 256 MB of freed memory resident
  // Holding a million jobs took over 600 MB; decoding one at a time, tens.
  rusage usage{};
  ASSERT_EQ(getrusage(RUSAGE_CHILDREN, &usage), 0);
  EXPECT_LT(usage.ru_maxrss, 200 * 1024) << "kB at most in the sweep or a job";
#endif
}

class MergeOut : public SweepCommand {
protected:
  void SetUp() override
  {
    SweepCommand::SetUp();
    ASSERT_EQ(replisim(fmt::format("sweep {} --out {}", spec(kSpec).string(), (dir_ / "sweep").string())).status, 0);
    before_ = tree(dir_);
  }

  // Merging into `out` is refused with one line naming --out, and leaves
  // every file as it was: no temporary, no directory made for it.
  void expect_refused(const fs::path& out)
  {
    const Result r = replisim(fmt::format("merge {} --out {}", (dir_ / "sweep").string(), out.string()));
    EXPECT_EQ(r.status, 2) << out;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("replisim: error: --out: ", 0), 0u) << r.err;
    EXPECT_EQ(tree(dir_), before_) << out;
  }

  std::map<std::string, std::string> before_;
};

TEST_F(MergeOut, ADirectoryIsRefused)
{
  fs::create_directories(dir_ / "merged");
  before_ = tree(dir_);
  expect_refused(dir_ / "merged");
  expect_refused(dir_ / "sweep");
  expect_refused(dir_.string() + "/new/");
}

TEST_F(MergeOut, APathThatCannotBeWrittenLeavesNothing)
{
  std::ofstream(dir_ / "file") << "mine\n";
  before_ = tree(dir_);
  expect_refused(dir_ / "file" / "summary.csv");
  // The directory is made, the file cannot be (its name is too long): both go.
  expect_refused(dir_ / "made" / "deeper" / (std::string(300, 'x') + ".csv"));
}

}  // namespace sweep_merge_test
