// The sweep's results: one row per job, committed as its own file
// (DIR/rows/000012.csv: a header line and a value line, written under a
// temporary name and renamed), and summary.csv rebuilt from the rows present.
#pragma once
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "experiments/sweep/jobs.hpp"

namespace replisim::sweep {

struct Row {
  std::vector<std::string> columns;
  std::vector<std::string> values;
  std::string status() const;  // "ok" or "failed"
};

using Rows = std::map<std::size_t, Row>;  // by job index: spec order

// Columns every row ends with: replisim_version and schema_version, given
// by the command line (the sweep layer does not know the run's report).
using Stamp = std::vector<std::pair<std::string, std::string>>;

// A job's row: its parameter columns (values as the spec wrote them), seed,
// status, error, then every column of the run's own summary.csv not already
// there, then the columns of `stamp` the run's summary did not hold (all of
// them for a failed job), so that every row ends with them. `run_summary` is
// that file's text, empty when the job failed. Throws std::runtime_error
// when run_summary is not a header and one row.
Row make_row(const std::vector<std::string>& param_columns, const Job& job, const std::string& status,
             const std::string& error, const std::string& run_summary, const Stamp& stamp = {});

// The schema_version column of summary.csv and of each row.
inline constexpr const char* kSchemaColumn = "schema_version";

// A row's value in `column`, or nothing when it has no such column.
std::optional<std::string> row_value(const Row& row, const std::string& column);

// summary.csv of the rows: one header, the union of their columns (each in
// the place its rows give it), one line per row in job order. A function of
// the rows alone, so merged shards give the bytes of a one-machine run.
std::string summary_text(const Rows& rows);

// The committed rows of a rows/ directory. With `repair` (a sweep about to
// resume), removes leftover temporaries and any file that is not one whole
// row, so that its job runs again; without it (merge), skips them.
Rows load_rows(const std::filesystem::path& rows_dir, bool repair);

// Writes rows_dir/NNNNNN.csv atomically.
void commit_row(const std::filesystem::path& rows_dir, std::size_t index, const Row& row);

std::string row_file_name(std::size_t index);
// The job index a row file's name holds, or -1.
long row_index(const std::string& name);

}  // namespace replisim::sweep
