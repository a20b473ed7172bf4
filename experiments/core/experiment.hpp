// One `replisim run`, start to finish: the engine and platform (a file, a
// deployment file or a generated star), the datastore, the workload's
// clients, the simulation, and its files. One per process (SimGrid's engine
// is a singleton).
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "actors/cluster.hpp"
#include "experiments/core/datastore.hpp"
#include "experiments/core/report.hpp"
#include "experiments/core/run_progress.hpp"
#include "experiments/core/run_config.hpp"

namespace simgrid::s4u {
class Engine;
}

namespace replisim {

class Experiment {
public:
  // Creates the engine, loads or generates the platform and deploys the
  // model; throws std::invalid_argument (bad flag) or PlatformError (bad
  // platform or deployment file).
  explicit Experiment(RunConfig config);
  ~Experiment();

  // Runs the simulation and, when config.out is set, writes ops.csv,
  // roles.csv, visibility.csv and summary.csv there (whole files or none).
  void run();

  const RunConfig& config() const { return config_; }
  const Cluster& cluster() const { return *cluster_; }
  Cluster& cluster() { return *cluster_; }
  const Datastore& datastore() const { return *datastore_; }
  const Model& model() const { return datastore_->model(); }
  const Placement& placement() const { return datastore_->placement(); }
  const std::vector<std::unique_ptr<NodeMachine>>& nodes() const { return datastore_->nodes(); }
  const OpMetrics& metrics() const { return datastore_->metrics(); }
  const std::vector<NodeLoadSummary>& loads() const { return datastore_->loads(); }
  RoleGraph role_graph() const { return datastore_->role_graph(); }
  const SummaryRow& summary() const { return summary_; }
  // The files the run wrote.
  const std::vector<std::filesystem::path>& written() const { return written_; }

private:
  void add_clients();

  RunConfig config_;
  std::unique_ptr<simgrid::s4u::Engine> engine_;
  std::unique_ptr<Cluster> cluster_;
  std::unique_ptr<Datastore> datastore_;
  std::vector<std::unique_ptr<ClientMachine>> clients_;
  std::unique_ptr<RunProgress> progress_;
  SummaryRow summary_;
  std::vector<std::filesystem::path> written_;
};

// `unit,leader,replicas` CSV: node ids in node order, replicas in placement
// order joined by ';', the leader empty for a unit without one.
std::string placement_csv(const Datastore& datastore);

}  // namespace replisim
