// A replication model deployed for one run: where its units live, a state
// machine per node, a router per client, who holds which role, and what the
// model itself reports. Built by its registration (registry.hpp) from the
// run's common settings and the model's own parameters; the experiment
// drivers know models only through this interface.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "actors/cluster.hpp"
#include "experiments/core/invariants.hpp"
#include "experiments/core/models/model_settings.hpp"
#include "experiments/core/models/param.hpp"
#include "protocols/client/client.hpp"
#include "protocols/common/membership.hpp"
#include "protocols/common/placement.hpp"
#include "protocols/common/state_machine.hpp"

namespace replisim {

// summary.csv's row: column name → value as written.
using SummaryRow = std::vector<std::pair<std::string, std::string>>;

// Who holds the roles of each unit: the primaries (storage role: the
// authoritative copy) and the leaders (write role: who orders its writes).
// Most models have one of each per unit; a leaderless unit has no leader,
// a multi-leader unit several of both.
struct UnitRoles {
  std::vector<std::vector<NodeId>> primaries;  // per unit
  std::vector<std::vector<NodeId>> leaders;    // per unit
};

// What a model is built from.
struct ModelContext {
  const ModelSettings& config;    // the run's common settings
  const ModelParams& params;      // the model's own parameters
  const Cluster& cluster;         // node and client hosts, zones, route latencies
  const Membership& membership;   // which nodes are up, and the zone index of each
  const std::vector<std::string>& zones;  // zone names, by zone index
  Invariants* invariants = nullptr;       // where the model's own checks report (--check-invariants)
};

class Model {
public:
  virtual ~Model() = default;

  virtual const Placement& placement() const = 0;
  virtual std::unique_ptr<NodeMachine> make_node(NodeId node) = 0;
  virtual std::unique_ptr<Router> make_router(ClientId client) = 0;
  // The roles at the end of the run (when failover has moved them, where
  // they went).
  virtual UnitRoles roles() const = 0;
  // How the run replicates, for the terminal's header: "rf 3", "3 leaders".
  virtual std::string replication() const;

  // Per node, the node whose writes it applies when that is not a matter of
  // units (multi-leader followers); empty otherwise.
  virtual std::vector<NodeId> follows() const { return {}; }
  // Every operation as it finishes.
  virtual void on_completion(const Completion& /*op*/) {}
  // A role change a node reported (after the run's own bookkeeping of it).
  virtual void role_changed(const RoleEvent& /*event*/) {}
  // When failover moves roles: the unit's primary now (kNoNode: none now);
  // std::nullopt: the placement's primary, always.
  virtual std::optional<NodeId> primary_now(UnitId /*unit*/) const { return std::nullopt; }
  // With failover, in a model with a leader per unit: how its clients find
  // the leader, wait for one and retry (the failover preset's drivers).
  virtual std::optional<DriverDefaults> client_driver() const { return std::nullopt; }
  // How far client `client`'s clock is from true time when the client
  // stamps its own writes (leaderless with --clock-skew); none: nodes stamp them.
  virtual std::optional<Time> client_clock_offset(ClientId /*client*/) const { return std::nullopt; }
  // Writes the clients saw acknowledged that the final state of their unit's
  // replicas does not hold; std::nullopt where the model does not measure it.
  virtual std::optional<std::uint64_t> acked_writes_lost() const { return std::nullopt; }
  // Whether acknowledged writes may be lost (by op id, after after_run():
  // lost_writes()), so that staleness waits for the run's end to know which
  // writes are no bar for it.
  virtual bool may_lose_writes() const { return false; }
  virtual std::unordered_set<OpId> lost_writes() const { return {}; }
  // Whether a read can return a write not yet committed, so that dirty reads
  // are counted: the leader-based models.
  virtual bool has_commit_point() const { return false; }
  // Acknowledged writes that were removed from some replica's log (a
  // rollback), each counted once; std::nullopt where the model does not measure it.
  virtual std::optional<std::uint64_t> writes_rolled_back() const { return std::nullopt; }
  // How many replicas of a unit, its leader included, a leader must reach to
  // commit a write at the run's write concern (write_unavailability_*).
  virtual int replicas_to_commit() const { return 1; }
  // Replication that outlives the clients (asynchronous): the run goes on
  // after the last client until this holds and no message is in flight.
  virtual std::function<bool()> quiescent() const { return nullptr; }
  // After the simulation; throws std::runtime_error when the model's own
  // end-of-run check fails.
  virtual void after_run() {}
  // Values of the model's result columns (ModelSpec::result_columns) and of
  // any parameter column it reports other than as typed; the rest stay empty.
  virtual SummaryRow results() const { return {}; }

protected:
  explicit Model(int rf) : rf_(rf) {}
  int rf_;
};

}  // namespace replisim
