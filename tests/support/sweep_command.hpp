// The fixture of the tests of replisim sweep and merge as users meet them
// (tests/experiments/sweep/sweep_*_test.cpp): a scratch directory, a spec
// written into it, the built binary, and what the tests compare.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "experiments/output/csv.hpp"
#include "support/command.hpp"

namespace replisim::test {

// 2 models x 2 node counts x 2 seeds = 8 small jobs.
inline constexpr const char* kSpec = R"([sweep]
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

class SweepCommand : public ScratchDirTest {
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

// `flag = [1, ..., count]` for each flag: a spec of a chosen size.
inline std::string axes_spec(const std::vector<std::string>& flags, int count)
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
inline std::map<std::string, std::string> tree(const fs::path& dir)
{
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    files[entry.path().string()] = entry.is_regular_file() ? slurp(entry.path()) : "";
  return files;
}

}  // namespace replisim::test
