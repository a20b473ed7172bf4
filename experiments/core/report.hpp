// What a run reports: summary.csv's row, roles.csv, and the files of a run
// written together (whole files or none).
#pragma once
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "experiments/core/models/model.hpp"
#include "experiments/output/output_file.hpp"
#include "experiments/core/run_config.hpp"

namespace replisim {

class Datastore;

// The version of summary.csv's columns, written in its last column
// (schema_version) by every run and every sweep row, so that `merge` can
// refuse to mix files of different schemas. Bump it whenever a column is
// added, removed, renamed, moved or changes meaning: ANY change of the
// columns, a column added at the end included. (1 was the schema before this
// column existed.)
inline constexpr int kSummarySchemaVersion = 3;

// replisim's version (CMake's project VERSION), as `replisim --version` prints
// it and summary.csv's replisim_version column holds it.
const char* replisim_version();

// summary.csv's last two columns, in order: replisim_version, schema_version.
SummaryRow version_columns();

// The run's parameters first (common, then every model's, empty where they do
// not apply), then what it measured, then every model's result columns, and
// last the version columns. `wall_s`: wall-clock seconds of the simulation.
SummaryRow summary_row(const Datastore& datastore, double wall_s);
std::string summary_csv(const SummaryRow& row);
// The value of column `name`; empty if there is no such column.
std::string summary_value(const SummaryRow& row, const std::string& name);

std::string roles_csv(const Datastore& datastore);
// roles_timeline.csv: each node's leader units every `step` seconds up to
// `end`, written row by row (a long run at a fine step makes a large file,
// never a large string).
void write_timeline_csv(std::ostream& out, const Datastore& datastore, double step, Time end);
// outages.csv: every interval a unit spent without a leader, with the leader
// it lost and the one it found (empty if the run ended first).
std::string outages_csv(const Datastore& e);

// The names of the files a run writes in --out: a run replaces those an
// earlier run left there (and no other file).
inline constexpr const char* kRunOutputNames[] = {"ops.csv", "ops.csv.gz", "roles.csv", "visibility.csv",
                                                  "summary.csv", "roles_timeline.csv", "outages.csv"};

// The files of one run: ops.csv is streamed while the run goes on; the
// others are written at the end, and all of them appear together on commit.
class RunOutputs {
public:
  explicit RunOutputs(const RunConfig& config);
  ~RunOutputs();
  std::ostream* ops_stream();  // null without --out
  // Returns the files written.
  std::vector<std::filesystem::path> commit(const Datastore& datastore, const SummaryRow& summary);

private:
  void remove_earlier_outputs(const std::vector<std::filesystem::path>& written) const;
  double timeline_step(const Datastore& datastore) const;
  static constexpr double kMaxTimelineRows = 10'000'000;  // about 300 MB of CSV

  const RunConfig& config_;
  std::unique_ptr<OutputFile> ops_;
  std::vector<std::pair<std::filesystem::path, int>> created_dirs_;  // with their leftover slots
  bool committed_ = false;
};

}  // namespace replisim
