// The sweep's results: one row per job, committed as its own file
// (DIR/rows/000012.csv: a header line and a value line, written under a
// temporary name and renamed), and summary.csv rebuilt from the rows present.
#pragma once
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "experiments/sweep/jobs.hpp"

namespace replisim::sweep {

struct Row {
  std::vector<std::string> columns;
  std::vector<std::string> values;
  std::string status() const;  // "ok" or "failed"
};

using Rows = std::map<std::size_t, Row>;  // by job index: spec order

// A job's row: its parameter columns (values as the spec wrote them), seed,
// status, error, then every column of the run's own summary.csv not already
// there. `run_summary` is that file's text, empty when the job failed.
// Throws std::runtime_error when run_summary is not a header and one row.
Row make_row(const std::vector<std::string>& param_columns, const Job& job, const std::string& status,
             const std::string& error, const std::string& run_summary);

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

}  // namespace replisim::sweep
