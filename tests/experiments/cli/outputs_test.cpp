// A run's files appear all together or not at all: a bad --out or
// --roles-dot is refused before the simulation, and an interrupted run
// leaves nothing (not even a hidden temporary) and says so in one line.
#include "support/bad_input.hpp"

#include <csignal>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

namespace outputs_test {

namespace fs = std::filesystem;
using Outputs = replisim::test::BadInputTest;

TEST_F(Outputs, AnOutThatIsAFileIsRefused)
{
  const fs::path file = dir_ / "file";
  std::ofstream(file) << "mine";
  expect_refused(replisim(fmt::format("run --ops 10 --out {}", file.string())), "--out");
  EXPECT_EQ(replisim::test::slurp(file), "mine");
  EXPECT_EQ(files_left(), std::vector<std::string>{"file"});
}

TEST_F(Outputs, AnOutThatCannotBeCreatedIsRefused)
{
  std::ofstream(dir_ / "file") << "mine";
  expect_refused(replisim(fmt::format("run --ops 10 --out {}/file/sub", dir_.string())), "--out");
  expect_refused(replisim("run --ops 10 --out /proc/replisim-no/such"), "--out");
  EXPECT_EQ(files_left(), std::vector<std::string>{"file"});
}

TEST_F(Outputs, ARolesDotThatCannotBeWrittenIsRefusedBeforeTheRun)
{
  expect_bad_input(fmt::format("run --ops 10 --roles-dot {}/no/such/dir/x.dot", dir_.string()), "--roles-dot");
  expect_bad_input(fmt::format("run --ops 10 --roles-dot {}", dir_.string()), "--roles-dot");
  expect_bad_input("run --ops 10 --roles-dot /proc/replisim.dot", "--roles-dot");
  EXPECT_TRUE(files_left().empty());
}

TEST_F(Outputs, ARunWritesEveryFileTogether)
{
  const replisim::test::CommandResult r =
      replisim(fmt::format("run --ops 10 --out {0}/a/b --roles-dot {0}/roles.dot", dir_.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(files_left(), (std::vector<std::string>{"a", "a/b", "a/b/ops.csv", "a/b/roles.csv", "a/b/summary.csv",
                                                    "a/b/visibility.csv", "roles.dot"}));
}

// A run that fails after its start leaves no directory it created. Here the
// failure is a route first used mid-run: a Full zone of more hosts than are
// checked pair by pair (kAllPairsHosts), without a route from n150 to n151,
// which leader-follower's unit 50 (n150, n151, n152) needs. SimGrid aborted.
TEST_F(Outputs, AFailedRunRemovesTheDirectoryItCreated)
{
  const std::string file = dir_.string() + "-full.xml";
  {
    std::ofstream xml(file);
    xml << "<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
           "<platform version=\"4.1\"><zone id=\"z\" routing=\"Full\">\n";
    std::vector<std::string> hosts;
    for (int i = 0; i < 301; ++i)
      hosts.push_back(fmt::format("n{}", i));
    hosts.emplace_back("client0");
    for (const std::string& h : hosts)
      xml << fmt::format("<host id=\"{}\" speed=\"1Gf\"/>\n", h);
    xml << "<link id=\"l\" bandwidth=\"1GBps\" latency=\"1ms\"/>\n";
    for (std::size_t a = 0; a < hosts.size(); ++a)
      for (std::size_t b = a + 1; b < hosts.size(); ++b)
        if (!(hosts[a] == "n150" && hosts[b] == "n151"))
          xml << fmt::format("<route src=\"{}\" dst=\"{}\"><link_ctn id=\"l\"/></route>\n", hosts[a], hosts[b]);
    xml << "</zone></platform>\n";
  }
  expect_bad_input(fmt::format("run --ops 3000 --platform {}", file), "host 'n150' cannot reach host 'n151'");
  fs::remove(file);
  EXPECT_TRUE(files_left().empty());
}

class Interrupt : public replisim::test::BadInputTest, public ::testing::WithParamInterface<int> {};

// A long run stopped by a signal: exit 128 + the signal, one line saying
// so, and nothing left in --out (which it created) or beside --roles-dot.
TEST_P(Interrupt, LeavesNothingAndSaysSo)
{
  const int sig = GetParam();
  const fs::path err = dir_.string() + ".err";
  const std::string command =
      fmt::format("exec {} run --ops 100000000 --out {}/out --roles-dot {}/roles.dot 2>{} >/dev/null", REPLISIM_BINARY,
                  dir_.string(), dir_.string(), err.string());
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), nullptr);
    _exit(127);
  }
  // Until ops.csv's temporary is there: the simulation is running.
  for (int i = 0; i < 200 && !fs::exists(dir_ / "out" / ".ops.csv.tmp"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(fs::exists(dir_ / "out" / ".ops.csv.tmp"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  kill(pid, sig);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 128 + sig);
  const std::string text = replisim::test::slurp(err);
  fs::remove(err);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_NE(text.find(fmt::format("interrupted by SIG{}", sigabbrev_np(sig))), std::string::npos) << text;
  EXPECT_TRUE(files_left().empty()) << fmt::format("{}", files_left().size());
}

INSTANTIATE_TEST_SUITE_P(Signals, Interrupt, ::testing::Values(SIGINT, SIGTERM, SIGHUP));

}  // namespace outputs_test
