// One simulation, start to finish: platform, model, clients, metrics, and the
// three CSV files. One per process (SimGrid's engine is a singleton).
#pragma once
#include <memory>
#include <string>
#include <map>
#include <utility>
#include <vector>

#include "actors/cluster.hpp"
#include "experiments/convergence.hpp"
#include "experiments/deployment.hpp"
#include "experiments/node_load.hpp"
#include "experiments/op_metrics.hpp"
#include "experiments/run_config.hpp"

namespace replisim {

// summary.csv's row: column name → value as written.
using SummaryRow = std::vector<std::pair<std::string, std::string>>;

class Experiment {
public:
  // Loads or generates the platform and deploys the model; throws
  // std::invalid_argument (bad flag) or PlatformError (bad platform file).
  explicit Experiment(RunConfig config);
  ~Experiment();

  // Runs the simulation and, when config.out is set, writes ops.csv,
  // roles.csv and summary.csv there (whole files or none).
  void run();

  const Cluster& cluster() const { return *cluster_; }
  const Deployment& deployment() const { return deployment_; }
  const Convergence& convergence() const { return convergence_; }
  const OpMetrics& metrics() const { return *metrics_; }
  const SummaryRow& summary() const { return summary_; }
  const std::vector<NodeLoadSummary>& loads() const { return loads_; }
  const RunConfig& config() const { return config_; }
  std::string roles_csv() const;
  std::string mapping_line() const;

private:
  SummaryRow make_summary(double wall_s) const;

  RunConfig config_;
  std::unique_ptr<Cluster> cluster_;
  Deployment deployment_;
  std::vector<std::unique_ptr<ClientMachine>> clients_;
  std::vector<Traffic> traffic_;
  ServerSettings server_settings_;
  std::vector<NodeLoadSummary> loads_;
  std::unique_ptr<OpMetrics> metrics_;
  SummaryRow summary_;
  std::map<std::pair<Key, Version>, Time> acked_at_;  // multi-leader: acknowledged writes by key and stamp
  Convergence convergence_;
};

std::string summary_csv(const SummaryRow& row);
// The value of column `name`; empty if there is no such column.
std::string summary_value(const SummaryRow& row, const std::string& name);
void print_summary_table(std::ostream& out, const Experiment& experiment);

}  // namespace replisim
