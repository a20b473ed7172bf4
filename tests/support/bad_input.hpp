// The promise every bad input keeps: exit status 2, one line on stderr
// `replisim: error: ...` naming the flag or file, and no output left behind.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "support/command.hpp"

namespace replisim::test {

class BadInputTest : public ScratchDirTest {
protected:
  // Runs `args --out DIR/out`: exit 2, exactly one line on stderr that names
  // `what`, and nothing in the scratch directory afterwards (not even a
  // hidden temporary).
  void expect_bad_input(const std::string& args, const std::string& what)
  {
    const fs::path out = dir_ / "out";
    const CommandResult r = replisim(args + " --out " + out.string());
    expect_refused(r, what);
    EXPECT_FALSE(fs::exists(out)) << "a failed run left " << out;
  }

  // Exit 2 and one line naming `what`, starting "replisim: error: ".
  static void expect_refused(const CommandResult& r, const std::string& what)
  {
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("replisim: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
  }

  // Every file under the scratch directory, hidden ones included.
  std::vector<std::string> files_left() const
  {
    std::vector<std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir_))
      files.push_back(fs::relative(entry.path(), dir_).string());
    std::sort(files.begin(), files.end());
    return files;
  }
};

}  // namespace replisim::test
