// One simulation, start to finish: set-up (platform, model, nodes, clients),
// the simulation, and what it measured. One per process (SimGrid's engine is
// a singleton). The report — summary.csv, roles.csv, the terminal table — is
// read off it (report.hpp, summary_table.cpp).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "actors/cluster.hpp"
#include "experiments/models/model.hpp"
#include "experiments/node_load.hpp"
#include "experiments/op_metrics.hpp"
#include "experiments/role_graph.hpp"
#include "experiments/run_config.hpp"

namespace replisim {

class Experiment {
public:
  // Loads or generates the platform and deploys the model; throws
  // std::invalid_argument (bad flag) or PlatformError (bad platform file).
  explicit Experiment(RunConfig config);
  ~Experiment();

  // Runs the simulation and, when config.out is set, writes ops.csv,
  // roles.csv, visibility.csv and summary.csv there (whole files or none).
  void run();

  const RunConfig& config() const { return config_; }
  const Cluster& cluster() const { return *cluster_; }
  const Model& model() const { return *model_; }
  const Placement& placement() const { return model_->placement(); }
  const std::vector<std::unique_ptr<NodeMachine>>& nodes() const { return nodes_; }
  const OpMetrics& metrics() const { return *metrics_; }
  const std::vector<Traffic>& traffic() const { return traffic_; }
  const std::vector<NodeLoadSummary>& loads() const { return loads_; }
  // The unit–node roles at the end of the run.
  RoleGraph role_graph() const;
  double wall_s() const { return wall_s_; }
  const SummaryRow& summary() const { return summary_; }

private:
  void load_platform();
  void deploy();
  void add_clients();

  RunConfig config_;
  std::unique_ptr<Cluster> cluster_;
  std::vector<std::string> zones_;  // zone names, by zone index
  Membership membership_;
  std::unique_ptr<Model> model_;
  std::vector<std::unique_ptr<NodeMachine>> nodes_;
  std::vector<std::unique_ptr<Router>> routers_;  // one per client
  std::vector<std::unique_ptr<ClientMachine>> clients_;
  std::vector<Traffic> traffic_;
  ServerSettings server_settings_;
  std::unique_ptr<OpMetrics> metrics_;
  std::vector<NodeLoadSummary> loads_;
  double wall_s_ = 0;
  SummaryRow summary_;
};

// `unit,leader,replicas` CSV: node ids in node order, replicas in placement
// order joined by ';', the leader empty for a unit without one.
std::string placement_csv(const Experiment& experiment);

void print_summary_table(std::ostream& out, const Experiment& experiment);

}  // namespace replisim
