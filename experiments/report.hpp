// What a run reports: summary.csv's row, roles.csv, and the files of a run
// written together (whole files or none).
#pragma once
#include <memory>
#include <ostream>
#include <string>

#include "experiments/models/model.hpp"
#include "experiments/output_file.hpp"
#include "experiments/run_config.hpp"

namespace replisim {

class Experiment;

// The run's parameters first (common, then every model's, empty where they do
// not apply), then what it measured, then every model's result columns.
SummaryRow summary_row(const Experiment& experiment);
std::string summary_csv(const SummaryRow& row);
// The value of column `name`; empty if there is no such column.
std::string summary_value(const SummaryRow& row, const std::string& name);

std::string roles_csv(const Experiment& experiment);

// The files of one run: ops.csv is streamed while the run goes on; the
// others are written at the end, and all of them appear together on commit.
class RunOutputs {
public:
  explicit RunOutputs(const RunConfig& config);
  ~RunOutputs();
  std::ostream* ops_stream();  // null without --out
  void commit(const Experiment& experiment);

private:
  const RunConfig& config_;
  std::unique_ptr<OutputFile> ops_;
};

}  // namespace replisim
