// A replicated datastore on a cluster's nodes: its model deployed, a state
// machine and a server per node, a router per client, and everything it
// measured. What a `replisim run` and a SimGrid program that uses replisim
// as a library both build, on a Cluster made from their hosts.
#pragma once
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "actors/cluster.hpp"
#include "experiments/core/invariants.hpp"
#include "experiments/core/leadership.hpp"
#include "experiments/core/models/model.hpp"
#include "experiments/core/node_load.hpp"
#include "experiments/core/op_metrics.hpp"
#include "experiments/core/role_graph.hpp"
#include "experiments/core/run_config.hpp"

namespace replisim {

class Datastore final : public ClusterObserver {
public:
  // Deploys `config.model` (config checked) on the cluster's nodes and puts
  // a server on each. Throws std::invalid_argument naming the flag when the
  // model cannot fit them.
  Datastore(const RunConfig& config, Cluster& cluster);
  ~Datastore();

  const RunConfig& config() const { return config_; }
  // --retries, or the model's clients' drivers' when not given (0 without).
  int client_retries() const;
  const Cluster& cluster() const { return cluster_; }
  const Model& model() const { return *model_; }
  const Placement& placement() const { return model_->placement(); }
  const std::vector<std::unique_ptr<NodeMachine>>& nodes() const { return nodes_; }
  const std::vector<Traffic>& traffic() const { return traffic_; }

  // Client `c`'s router, made on first use (clients may come and go).
  const Router& router(ClientId c);
  // How the oldest operation still outstanding started: metrics judge a read
  // once nothing older can still change its verdict (op_metrics.hpp).
  void watch_outstanding(std::function<Time()> oldest_outstanding);
  // Writes ops.csv rows to `csv` from now on (before the first operation).
  void write_ops_to(std::ostream* csv);
  // Every finished operation, in the order they finished.
  void record(const Completion& op);

  // After the simulation: the model's own check, the metrics' last reads,
  // each node's load over `run_s` seconds.
  void finish(double run_s);
  const OpMetrics& metrics() const { return *metrics_; }
  const std::vector<NodeLoadSummary>& loads() const { return loads_; }
  // The unit–node roles now.
  RoleGraph role_graph() const;
  // Who led which unit over the run (after start(), which reads the first roles).
  const LeadershipTracker& leadership() const { return leadership_; }
  // What --check-invariants found (the run stops at the first violation).
  const Invariants& invariants() const { return invariants_; }
  // After the cluster started: the roles at the start (once: the cluster
  // tells of them itself, see nodes_started).
  void started(Time now) { nodes_started(now); }

  // The roles are read once every node has started, not at each of the
  // role events of their start (every leader announcing itself: units ×
  // units at 10,000 nodes), which change nothing the first reading sees.
  void nodes_started(Time now) override;
  void role_changed(const RoleEvent& e) override;
  void node_down(NodeId node, Time now) override;
  void node_up(NodeId node, Time now) override;
  void node_paused(NodeId node, Time now) override;
  void node_resumed(NodeId node, Time now) override;
  void network_changed(Time now) override;
  void message_waited(NodeId node, double seconds) override;

private:
  const Model& deploy_model();

  RunConfig config_;
  Cluster& cluster_;
  Invariants invariants_;
  std::vector<std::string> zones_;  // zone names, by zone index
  Membership membership_;
  std::unique_ptr<Model> model_;
  std::vector<std::unique_ptr<NodeMachine>> nodes_;
  std::vector<std::unique_ptr<Router>> routers_;  // by client
  std::vector<Traffic> traffic_;
  ServerSettings server_settings_;
  std::function<Time()> oldest_outstanding_;
  std::unique_ptr<OpMetrics> metrics_;
  // Per node: seconds each message waited for a worker, past a small buffer
  // in the run's one temporary file (thousands of nodes each holding
  // millions of waits would not fit in memory).
  std::shared_ptr<Spill> spill_ = std::make_shared<Spill>();
  std::vector<Samples> waits_;
  std::vector<NodeLoadSummary> loads_;
  LeadershipTracker leadership_;
  bool nodes_started_ = false;
};

}  // namespace replisim
