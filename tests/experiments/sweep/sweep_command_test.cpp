// replisim sweep as users meet it: one row per job in spec order, each
// job's files kept on request, the same summary.csv whatever --jobs, failed
// jobs recorded, a finished sweep not run again, a kill -9 survived. Bad
// input is in sweep_refusals_test.cpp, shards and merge in sweep_merge_test.cpp.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include "experiments/output/csv.hpp"
#include "support/command.hpp"
#include "support/sweep_command.hpp"

namespace fs = std::filesystem;
using replisim::CsvRecord;
using replisim::csv_line;
using replisim::parse_csv;

namespace sweep_command_test {

using replisim::test::axes_spec;
using replisim::test::kSpec;
using replisim::test::slurp;
using replisim::test::SweepCommand;
using replisim::test::tree;
using Result = replisim::test::CommandResult;

TEST_F(SweepCommand, WritesOneRowPerJobInSpecOrderParametersFirst)
{
  const fs::path out = dir_ / "out";
  const Result r = replisim(fmt::format("sweep {} --out {} --jobs 2", spec(kSpec).string(), out.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto records = parse_csv(slurp(out / "summary.csv"));
  ASSERT_EQ(records.size(), 9u);
  const CsvRecord first(records[0].begin(), records[0].begin() + 9);
  EXPECT_EQ(first, (CsvRecord{"model", "nodes", "ops", "clients", "latency", "seed", "status", "error", "platform"}));
  for (const char* column : {"latency_ms", "write_p99_ms", "wall_s", "units"})
    EXPECT_NE(std::find(records[0].begin(), records[0].end(), column), records[0].end()) << column;
  EXPECT_EQ(std::count(records[0].begin(), records[0].end(), "seed"), 1);
  EXPECT_EQ(std::count(records[0].begin(), records[0].end(), "nodes"), 1);
  const std::vector<std::array<const char*, 3>> order = {
      {"leader-follower", "3", "1"}, {"leader-follower", "3", "2"}, {"leader-follower", "6", "1"},
      {"leader-follower", "6", "2"}, {"partitioned", "3", "1"},     {"partitioned", "3", "2"},
      {"partitioned", "6", "1"},     {"partitioned", "6", "2"}};
  for (std::size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(records[i + 1][0], order[i][0]);
    EXPECT_EQ(records[i + 1][1], order[i][1]);
    EXPECT_EQ(records[i + 1][5], order[i][2]);
    EXPECT_EQ(records[i + 1][6], "ok");
    EXPECT_EQ(records[i + 1][4], "2ms");  // as the spec wrote it
  }
  EXPECT_FALSE(fs::exists(out / "points")) << "job directories are removed without --keep-ops";
  EXPECT_TRUE(fs::exists(out / "spec.toml"));
}

TEST_F(SweepCommand, KeepOpsKeepsEachJobsFiles)
{
  const fs::path out = dir_ / "out";
  const Result r = replisim(fmt::format("sweep {} --out {} --keep-ops", spec(kSpec).string(), out.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  for (int job = 0; job < 8; ++job) {
    EXPECT_TRUE(fs::exists(out / "points" / fmt::format("{:06}", job) / "ops.csv")) << job;
    EXPECT_TRUE(fs::exists(out / "points" / fmt::format("{:06}", job) / "roles.csv")) << job;
  }
}

TEST_F(SweepCommand, SameBytesWithOneJobOrTwoApartFromWallTime)
{
  const fs::path one = dir_ / "one";
  const fs::path two = dir_ / "two";
  ASSERT_EQ(replisim(fmt::format("sweep {} --out {} --jobs 1", spec(kSpec).string(), one.string())).status, 0);
  ASSERT_EQ(replisim(fmt::format("sweep {} --out {} --jobs 2", spec(kSpec).string(), two.string())).status, 0);
  EXPECT_EQ(without_wall_time(one / "summary.csv"), without_wall_time(two / "summary.csv"));
  EXPECT_NE(without_wall_time(one / "summary.csv"), "");
}

TEST_F(SweepCommand, AFailedJobIsRecordedAndTheSweepGoesOn)
{
  const fs::path out = dir_ / "out";
  const Result r = replisim(fmt::format(
      "sweep {} --out {} --jobs 2",
      spec("[fixed]\nops = 100\n[axes]\nnodes = [3]\nrf = [3, 5, 1]\nmodel = [\"leader-follower\"]\n").string(),
      out.string()));
  EXPECT_EQ(r.status, 1) << r.err;
  const auto records = parse_csv(slurp(out / "summary.csv"));
  ASSERT_EQ(records.size(), 4u);
  const auto column = [&](const std::string& name) {
    return std::find(records[0].begin(), records[0].end(), name) - records[0].begin();
  };
  EXPECT_EQ(records[1][column("status")], "ok");
  EXPECT_EQ(records[2][column("status")], "failed");
  EXPECT_NE(records[2][column("error")].find("--rf"), std::string::npos) << records[2][column("error")];
  EXPECT_EQ(records[2][column("write_p99_ms")], "");
  EXPECT_EQ(records[3][column("status")], "ok");
  EXPECT_NE(r.err.find("failed: --rf"), std::string::npos) << r.err;
}

TEST_F(SweepCommand, RerunningAFinishedSweepRunsNothing)
{
  const fs::path out = dir_ / "out";
  ASSERT_EQ(replisim(fmt::format("sweep {} --out {}", spec(kSpec).string(), out.string())).status, 0);
  const std::string before = slurp(out / "summary.csv");
  const Result r = replisim(fmt::format("sweep {} --out {}", spec(kSpec).string(), out.string()));
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.err.find("8 already done, running the other 0"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(out / "summary.csv"), before);  // wall_s too: nothing ran again
}

// True while a process other than this one has `needle` in its command line.
bool process_with_argument(const std::string& needle)
{
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos || pid == std::to_string(getpid()))
      continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    if (s.str().find(needle) != std::string::npos)
      return true;
  }
  return false;
}

// Every file under `dir` (recursively) and its size.
std::map<std::string, std::uintmax_t> files_and_sizes(const fs::path& dir)
{
  std::map<std::string, std::uintmax_t> files;
  std::error_code ignored;
  for (auto it = fs::recursive_directory_iterator(dir, ignored); it != fs::recursive_directory_iterator();
       it.increment(ignored))
    files[it->path().string()] = it->is_regular_file(ignored) ? it->file_size(ignored) : 0;
  return files;
}

TEST_F(SweepCommand, KilledSweepResumesWithoutDuplicateOrTornRows)
{
  // 8 jobs of ~0.05 s, one at a time: kill -9 the sweep once 2 rows exist.
  std::string text = kSpec;
  text.replace(text.find("ops = 200"), 9, "ops = 1000");
  const fs::path file = spec(text);
  const fs::path killed = dir_ / "killed";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int null_fd = open("/dev/null", O_WRONLY);
    dup2(null_fd, STDOUT_FILENO);
    dup2(null_fd, STDERR_FILENO);
    execl(REPLISIM_BINARY, "replisim", "sweep", file.c_str(), "--out", killed.c_str(), "--jobs", "1", nullptr);
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (row_files(killed) < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  const std::size_t committed = row_files(killed);
  ASSERT_GE(committed, 2u);
  ASSERT_LT(committed, 8u) << "the sweep finished before it was killed";

  // Its running job died with it: nothing goes on writing in the directory.
  const auto files = files_and_sizes(killed / "points");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(files_and_sizes(killed / "points"), files) << "a job outlived its sweep";
  EXPECT_FALSE(process_with_argument(killed.string())) << "a job outlived its sweep";

  std::map<std::string, std::string> before;
  for (const auto& entry : fs::directory_iterator(killed / "rows"))
    before[entry.path().filename().string()] = slurp(entry.path());

  const Result resumed = replisim(fmt::format("sweep {} --out {} --jobs 1", file.string(), killed.string()));
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_NE(resumed.err.find(fmt::format("{} already done", committed)), std::string::npos) << resumed.err;
  EXPECT_EQ(row_files(killed), 8u);
  for (const auto& [name, text_before] : before)  // wall_s and all: committed jobs did not run again
    EXPECT_EQ(slurp(killed / "rows" / name), text_before) << name;

  const fs::path whole = dir_ / "whole";
  ASSERT_EQ(replisim(fmt::format("sweep {} --out {} --jobs 2", file.string(), whole.string())).status, 0);
  EXPECT_EQ(without_wall_time(killed / "summary.csv"), without_wall_time(whole / "summary.csv"));
  EXPECT_EQ(parse_csv(slurp(killed / "summary.csv")).size(), 9u);
  EXPECT_FALSE(fs::exists(killed / "points"));
}

TEST_F(SweepCommand, ASpecKeptInItsOwnOutIsNotRewritten)
{
  const fs::path out = dir_ / "out";
  fs::create_directories(out);
  std::ofstream(out / "spec.toml") << kSpec;
  struct stat before {};
  ASSERT_EQ(stat((out / "spec.toml").c_str(), &before), 0);
  const Result r = replisim(fmt::format("sweep {0}/spec.toml --out {0} --jobs 2", out.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  struct stat after {};
  ASSERT_EQ(stat((out / "spec.toml").c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino) << "spec.toml was replaced";
  EXPECT_EQ(slurp(out / "spec.toml"), kSpec);
  EXPECT_EQ(row_files(out), 8u);
}

}  // namespace sweep_command_test
