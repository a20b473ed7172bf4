#include "experiments/sweep/rows.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>

#include "experiments/output/output_file.hpp"
#include "experiments/output/csv.hpp"

namespace replisim::sweep {

namespace {

std::string read_file(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}


// Adds `columns` to `all`, each new one right after its predecessor in
// `columns`, so that rows with extra columns keep their own order.
void merge_columns(std::vector<std::string>& all, const std::vector<std::string>& columns)
{
  std::size_t insert_at = 0;
  for (const std::string& column : columns) {
    const auto found = std::find(all.begin(), all.end(), column);
    if (found != all.end()) {
      insert_at = static_cast<std::size_t>(found - all.begin()) + 1;
    } else {
      all.insert(all.begin() + static_cast<std::ptrdiff_t>(insert_at), column);
      ++insert_at;
    }
  }
}

}  // namespace

std::string Row::status() const
{
  const auto found = std::find(columns.begin(), columns.end(), "status");
  return found == columns.end() ? "" : values[static_cast<std::size_t>(found - columns.begin())];
}

Row make_row(const std::vector<std::string>& param_columns, const Job& job, const std::string& status,
             const std::string& error, const std::string& run_summary, const Stamp& stamp)
{
  Row row;
  row.columns = param_columns;
  for (const Param& p : job.params)
    row.values.push_back(p.value);
  row.columns.insert(row.columns.end(), {"seed", "status", "error"});
  row.values.insert(row.values.end(), {std::to_string(job.seed), status, error});
  const auto add = [&row](const std::string& column, const std::string& value) {
    if (std::find(row.columns.begin(), row.columns.end(), column) != row.columns.end())
      return;
    row.columns.push_back(column);
    row.values.push_back(value);
  };
  if (!run_summary.empty()) {
    const auto records = parse_csv(run_summary);
    if (records.size() != 2 || records[0].size() != records[1].size())
      throw std::runtime_error("the run's summary.csv is not one header and one row");
    for (std::size_t i = 0; i < records[0].size(); ++i)
      add(records[0][i], records[1][i]);
  }
  for (const auto& [column, value] : stamp)
    add(column, value);
  return row;
}

std::optional<std::string> row_value(const Row& row, const std::string& column)
{
  const auto found = std::find(row.columns.begin(), row.columns.end(), column);
  if (found == row.columns.end())
    return std::nullopt;
  return row.values[static_cast<std::size_t>(found - row.columns.begin())];
}

std::string summary_text(const Rows& rows)
{
  std::vector<std::string> columns;
  const std::vector<std::string>* last = nullptr;
  for (const auto& [index, row] : rows) {
    if (last == nullptr || *last != row.columns)
      merge_columns(columns, row.columns);
    last = &row.columns;
  }
  std::string text = csv_line(columns);
  std::unordered_map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < columns.size(); ++i)
    position[columns[i]] = i;
  CsvRecord line(columns.size());
  for (const auto& [index, row] : rows) {
    std::fill(line.begin(), line.end(), std::string());
    for (std::size_t i = 0; i < row.columns.size(); ++i)
      line[position.at(row.columns[i])] = row.values[i];
    text += csv_line(line);
  }
  return text;
}

Rows load_rows(const std::filesystem::path& rows_dir, bool repair)
{
  Rows rows;
  if (!std::filesystem::is_directory(rows_dir))
    return rows;
  for (const auto& entry : std::filesystem::directory_iterator(rows_dir)) {
    const std::string name = entry.path().filename().string();
    const long index = row_index(name);
    if (index < 0) {
      if (repair && name.size() > 4 && name.front() == '.' && name.substr(name.size() - 4) == ".tmp")
        std::filesystem::remove(entry.path());  // a write cut short
      continue;
    }
    std::vector<CsvRecord> records;
    try {
      records = parse_csv(read_file(entry.path()));
    } catch (const std::runtime_error&) {
    }
    if (records.size() != 2 || records[0].size() != records[1].size() || records[0].empty()) {
      if (repair)
        std::filesystem::remove(entry.path());  // not a whole row: the job runs again
      continue;
    }
    rows[static_cast<std::size_t>(index)] = {std::move(records[0]), std::move(records[1])};
  }
  return rows;
}

void commit_row(const std::filesystem::path& rows_dir, std::size_t index, const Row& row)
{
  OutputFile file(rows_dir, row_file_name(index));
  file.stream() << csv_line(row.columns) << csv_line(row.values);
  file.commit();
}

long row_index(const std::string& name)
{
  if (name.size() < 5 || name.substr(name.size() - 4) != ".csv")
    return -1;
  const std::string_view digits(name.data(), name.size() - 4);
  long index = -1;
  const auto result = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (result.ec != std::errc() || result.ptr != digits.data() + digits.size() || index < 0)
    return -1;
  return index;
}

std::string row_file_name(std::size_t index) { return fmt::format("{:06}.csv", index); }

}  // namespace replisim::sweep
