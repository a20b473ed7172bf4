// The version columns that end every row of a sweep, ok or failed, and its
// summary.csv; merge refusing rows of different schemas.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "experiments/output/csv.hpp"
#include "support/command.hpp"
#include "support/sweep_command.hpp"

namespace fs = std::filesystem;
using replisim::parse_csv;

namespace sweep_versions_test {

using replisim::test::slurp;
using Result = replisim::test::CommandResult;

using replisim::test::kSpec;

class SweepVersions : public replisim::test::SweepCommand {
protected:};

// The rows a sweep writes, ok or failed, end with the version columns, and
// so does its summary.csv.
TEST_F(SweepVersions, EveryRowEndsWithTheVersionColumns)
{
  const fs::path out = dir_ / "out";
  const Result r = replisim(fmt::format(
      "sweep {} --out {} --jobs 2",
      spec("[fixed]\nops = 100\nnodes = 3\n[axes]\nrf = [3, 5]\n").string(), out.string()));
  EXPECT_EQ(r.status, 1) << r.err;  // rf 5 on 3 nodes fails
  for (const fs::path& file : {out / "rows" / "000000.csv", out / "rows" / "000001.csv", out / "summary.csv"}) {
    SCOPED_TRACE(file.string());
    const auto records = parse_csv(slurp(file));
    ASSERT_GE(records.size(), 2u);
    const auto& header = records[0];
    ASSERT_GE(header.size(), 2u);
    EXPECT_EQ(header[header.size() - 2], "replisim_version");
    EXPECT_EQ(header[header.size() - 1], "schema_version");
    for (std::size_t i = 1; i < records.size(); ++i) {
      EXPECT_EQ(records[i][header.size() - 2], REPLISIM_VERSION);
      EXPECT_EQ(records[i][header.size() - 1], "3");
    }
  }
}

// Rewrites a row file's schema_version: to `value`, or without the column.
void set_schema(const fs::path& row_file, const std::optional<std::string>& value)
{
  auto records = parse_csv(slurp(row_file));
  ASSERT_EQ(records.size(), 2u);
  const auto at = std::find(records[0].begin(), records[0].end(), "schema_version") - records[0].begin();
  ASSERT_LT(static_cast<std::size_t>(at), records[0].size());
  if (value) {
    records[1][static_cast<std::size_t>(at)] = *value;
  } else {
    records[0].erase(records[0].begin() + at);
    records[1].erase(records[1].begin() + at);
  }
  std::ofstream(row_file, std::ios::trunc) << replisim::csv_line(records[0]) << replisim::csv_line(records[1]);
}

TEST_F(SweepVersions, MergeRefusesRowsOfDifferentSchemas)
{
  const fs::path file = spec(kSpec);
  for (int k = 1; k <= 2; ++k)
    ASSERT_EQ(replisim(fmt::format("sweep {} --shard {}/2 --out {}/shard-{}", file.string(), k, dir_.string(), k)).status, 0);
  const fs::path merged = dir_ / "merged.csv";
  const std::string merge = fmt::format("merge {0}/shard-1 {0}/shard-2 --out {1}", dir_.string(), merged.string());
  ASSERT_EQ(replisim(merge).status, 0);
  fs::remove(merged);

  const fs::path row = dir_ / "shard-2" / "rows" / "000003.csv";
  set_schema(row, "1");
  Result r = replisim(merge);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(fmt::format("merge: '{}' has schema_version 1, but '{}/shard-1/rows/000000.csv' has "
                                   "schema_version 3",
                                   row.string(), dir_.string())),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(merged));

  set_schema(row, std::nullopt);  // a row of a replisim from before the column
  r = replisim(merge);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(fmt::format("'{}' has no schema_version", row.string())), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(merged));
}

}  // namespace sweep_versions_test
