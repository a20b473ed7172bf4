// Helpers for tests that run the built replisim binary: a scratch directory
// per test, running a command, and reading a file whole.
#pragma once
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace replisim::test {

namespace fs = std::filesystem;

inline std::string slurp(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// summary.csv's value in column `name` ("" if absent).
inline std::string summary_value(const std::string& summary, const std::string& name)
{
  std::istringstream in(summary);
  std::string header, values;
  std::getline(in, header);
  std::getline(in, values);
  std::istringstream h(header), v(values);
  for (std::string n, x; std::getline(h, n, ',') && std::getline(v, x, ',');)
    if (n == name)
      return x;
  return "";
}

struct CommandResult {
  int status = -1;  // exit status; -1 if killed by a signal
  std::string out;
  std::string err;
};

// Runs `command` through the shell, capturing stdout and (through
// `err_file`) stderr.
inline CommandResult run_command(const std::string& command, const fs::path& err_file)
{
  CommandResult r;
  FILE* pipe = popen((command + " 2>" + err_file.string()).c_str(), "r");
  std::array<char, 4096> buffer{};
  std::size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    r.out.append(buffer.data(), n);
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.err = slurp(err_file);
  fs::remove(err_file);
  return r;
}

// A fixture with a fresh scratch directory, removed after the test.
class ScratchDirTest : public ::testing::Test {
protected:
  void SetUp() override
  {
    std::string pattern = (fs::temp_directory_path() / "replisim-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs the built replisim with `args`. Its stderr goes through a file
  // beside the scratch directory, never inside it (tests count what is there).
  CommandResult replisim(const std::string& args)
  {
    return run_command(std::string(REPLISIM_BINARY) + " " + args, dir_.string() + ".stderr");
  }

  fs::path dir_;
};

}  // namespace replisim::test
