// replisim sweep and merge as users meet them: bad specs refused before
// anything is written, failed jobs recorded, the same summary.csv whatever
// --jobs, a kill -9 survived, shards merged into the one-machine result.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include "experiments/output/csv.hpp"
#include "support/command.hpp"

namespace fs = std::filesystem;
using replisim::CsvRecord;
using replisim::csv_line;
using replisim::parse_csv;

namespace {

using replisim::test::slurp;
using Result = replisim::test::CommandResult;

// 2 models x 2 node counts x 2 seeds = 8 small jobs.
constexpr const char* kSpec = R"([sweep]
name = "test"
seeds = [1, 2]

[fixed]
ops = 200
clients = 2
latency = "2ms"

[axes]
model = ["leader-follower", "partitioned"]
nodes = [3, 6]
)";

class SweepCommand : public replisim::test::ScratchDirTest {
protected:
  fs::path spec(const std::string& text, const std::string& name = "spec.toml")
  {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }


  // summary.csv with wall_s, the one column that differs between runs, blanked.
  static std::string without_wall_time(const fs::path& summary)
  {
    auto records = parse_csv(slurp(summary));
    if (records.empty())
      return "";
    const auto column = std::find(records[0].begin(), records[0].end(), "wall_s") - records[0].begin();
    std::string text;
    for (CsvRecord& r : records) {
      if (static_cast<std::size_t>(column) < r.size() && &r != &records[0])
        r[static_cast<std::size_t>(column)] = "";
      text += csv_line(r);
    }
    return text;
  }

  static std::size_t row_files(const fs::path& out)
  {
    std::size_t n = 0;
    if (fs::is_directory(out / "rows"))
      for (const auto& entry : fs::directory_iterator(out / "rows"))
        n += entry.path().extension() == ".csv" && entry.path().filename().string()[0] != '.' ? 1 : 0;
    return n;
  }
};

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

// `flag = [1, ..., count]` for each flag: a spec of a chosen size.
std::string axes_spec(const std::vector<std::string>& flags, int count)
{
  std::string text = "[axes]\n";
  for (const std::string& flag : flags) {
    text += flag + " = [";
    for (int v = 1; v <= count; ++v)
      text += std::to_string(v) + (v < count ? ", " : "]\n");
  }
  return text;
}

// Every path under `dir` and its bytes ("" for a directory).
std::map<std::string, std::string> tree(const fs::path& dir)
{
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    files[entry.path().string()] = entry.is_regular_file() ? slurp(entry.path()) : "";
  return files;
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

}  // namespace
