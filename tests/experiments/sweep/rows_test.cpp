// A job's row, summary.csv rebuilt from rows in any order, and row files
// that are whole or absent.
#include <gtest/gtest.h>

#include <fstream>

#include "experiments/output/csv.hpp"
#include "support/command.hpp"
#include "experiments/sweep/rows.hpp"

using namespace replisim;
using namespace replisim::sweep;
namespace fs = std::filesystem;

namespace rows_test {

const std::string kRunSummary = "model,nodes,rf,latency_ms,write_p99_ms,wall_s,seed\n"
                                "leader-follower,3,3,5.000000,40.017237,0.006244,2\n";

Job job(std::size_t index, const std::string& nodes, std::uint64_t seed)
{
  return {index, {{"nodes", nodes}, {"write-concern", "all"}}, seed};
}

const std::vector<std::string> kParams{"nodes", "write_concern"};

TEST(SweepRows, ParametersSeedStatusErrorThenTheRunsOwnColumns)
{
  const Row row = make_row(kParams, job(0, "3", 2), "ok", "", kRunSummary);
  EXPECT_EQ(row.columns, (std::vector<std::string>{"nodes", "write_concern", "seed", "status", "error", "model", "rf",
                                                   "latency_ms", "write_p99_ms", "wall_s"}));
  EXPECT_EQ(row.values, (std::vector<std::string>{"3", "all", "2", "ok", "", "leader-follower", "3", "5.000000",
                                                  "40.017237", "0.006244"}));
  EXPECT_EQ(row.status(), "ok");
}

TEST(SweepRows, AFailedJobHasItsErrorAndNoRunColumns)
{
  const Row row = make_row(kParams, job(1, "3", 1), "failed", "--rf: 5 is more than 3, the nodes", "");
  EXPECT_EQ(row.columns.size(), 5u);
  EXPECT_EQ(row.values[4], "--rf: 5 is more than 3, the nodes");
  EXPECT_EQ(row.status(), "failed");
}

TEST(SweepRows, ABrokenRunSummaryIsRefused)
{
  EXPECT_THROW(make_row(kParams, job(0, "3", 1), "ok", "", "a,b\n1\n"), std::runtime_error);
}

TEST(SweepRows, SummaryIsInJobOrderWithOneHeaderAndEmptyCellsForFailures)
{
  Rows rows;
  rows[2] = make_row(kParams, job(2, "6", 1), "ok", "", kRunSummary);
  rows[0] = make_row(kParams, job(0, "3", 1), "failed", "boom, \"quoted\"", "");
  rows[1] = make_row(kParams, job(1, "3", 2), "ok", "", kRunSummary);
  const std::string text = summary_text(rows);
  const auto records = parse_csv(text);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0], rows[1].columns);
  EXPECT_EQ(records[1][0], "3");
  EXPECT_EQ(records[1][4], "boom, \"quoted\"");
  EXPECT_EQ(records[1].size(), records[0].size());
  EXPECT_EQ(records[1][5], "");
  EXPECT_EQ(records[3][0], "6");
  EXPECT_EQ(text.substr(0, text.find('\n')), "nodes,write_concern,seed,status,error,model,rf,latency_ms,write_p99_ms,wall_s");
}

TEST(SweepRows, ColumnsOfDifferentRunsAreUnitedInPlace)
{
  Rows rows;
  rows[0] = {{"a", "b", "d"}, {"1", "2", "4"}};
  rows[1] = {{"a", "b", "c", "d"}, {"1", "2", "3", "4"}};
  const auto records = parse_csv(summary_text(rows));
  EXPECT_EQ(records[0], (CsvRecord{"a", "b", "c", "d"}));
  EXPECT_EQ(records[1], (CsvRecord{"1", "2", "", "4"}));
}

TEST(SweepRows, CsvRoundTrips)
{
  const CsvRecord record{"plain", "with,comma", "with \"quotes\"", "", "two\nlines"};
  EXPECT_EQ(parse_csv(csv_line(record)), (std::vector<CsvRecord>{record}));
  EXPECT_EQ(csv_line({"a", "b,c"}), "a,\"b,c\"\n");
  EXPECT_THROW(parse_csv("a,\"b\n"), std::runtime_error);
}

class SweepRowFiles : public replisim::test::ScratchDirTest {};

TEST_F(SweepRowFiles, CommittedRowsLoadBack)
{
  const Row row = make_row(kParams, job(12, "3", 2), "ok", "", kRunSummary);
  commit_row(dir_, 12, row);
  EXPECT_TRUE(fs::exists(dir_ / "000012.csv"));
  const Rows rows = load_rows(dir_, true);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.at(12).columns, row.columns);
  EXPECT_EQ(rows.at(12).values, row.values);
}

TEST_F(SweepRowFiles, LeftoversAndTornRowsAreDroppedOnResumeOnly)
{
  commit_row(dir_, 0, make_row(kParams, job(0, "3", 1), "ok", "", kRunSummary));
  std::ofstream(dir_ / ".000001.csv.tmp") << "nodes,wri";
  std::ofstream(dir_ / "000002.csv") << "nodes,write_concern\n3\n";  // not a whole row
  EXPECT_EQ(load_rows(dir_, false).size(), 1u);
  EXPECT_TRUE(fs::exists(dir_ / "000002.csv"));  // merge reads, never repairs
  EXPECT_EQ(load_rows(dir_, true).size(), 1u);
  EXPECT_FALSE(fs::exists(dir_ / ".000001.csv.tmp"));
  EXPECT_FALSE(fs::exists(dir_ / "000002.csv"));
}

}  // namespace rows_test
