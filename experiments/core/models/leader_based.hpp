// What leader-follower (MongoDB) and partitioned leaders (Kafka) share: each
// unit's primary leads it, orders its writes into a log and replicates them
// (protocols/leader_follower.*); clients write to the leader and read where
// --read-from says. The two differ in how units are placed on nodes and in
// the rule that acknowledges a write.
#pragma once
#include "experiments/core/models/log_audit.hpp"
#include "experiments/core/models/model.hpp"
#include "protocols/raft/election.hpp"
#include "protocols/leader_follower/read_concern.hpp"
#include "protocols/leader_follower/replica_router.hpp"
#include "protocols/common/write_concern.hpp"

namespace replisim {

// --read-from, which both declare (with the failover flags, failover.hpp).
extern const ChoiceParam kReadFrom;

// With failover (--failover), leadership moves: the roles are read off the
// nodes, and acknowledged writes are audited against the units' logs.
class LeaderBasedModel : public Model {
public:
  // `reads`: what a read returns (leader-follower: --read-concern; partitioned: the high watermark).
  LeaderBasedModel(const ModelContext& context, Placement placement, WriteConcern concern, int min_insync,
                   ReadConcern reads);

  const Placement& placement() const override { return placement_; }
  std::unique_ptr<NodeMachine> make_node(NodeId node) override;
  std::unique_ptr<Router> make_router(ClientId client) override;
  UnitRoles roles() const override;
  void on_completion(const Completion& op) override;
  void role_changed(const RoleEvent& event) override;
  std::optional<NodeId> primary_now(UnitId unit) const override;
  void after_run() override;
  std::optional<std::uint64_t> acked_writes_lost() const override;
  bool may_lose_writes() const override { return failover_.enabled; }
  std::unordered_set<OpId> lost_writes() const override { return audit_.lost_writes(); }
  bool has_commit_point() const override { return true; }
  std::optional<DriverDefaults> client_driver() const override { return driver_; }
  std::optional<std::uint64_t> writes_rolled_back() const override;
  int replicas_to_commit() const override;

private:
  // Throws std::invalid_argument naming --election-timeout when no election could be won.
  void require_timeouts_above_round_trips() const;
  // The unit's leader now: its live replica that leads at the highest term.
  NodeId leader_now(UnitId unit) const;

  const Cluster& cluster_;
  const Membership& membership_;
  Placement placement_;
  WriteConcern concern_;
  int min_insync_;
  ReadFrom read_from_;
  ReadConcern reads_;
  FailoverConfig failover_;
  std::optional<DriverDefaults> driver_;
  std::vector<const LeaderFollowerNode*> nodes_;  // by node, once made
  LogAudit audit_;
};

// Throws std::invalid_argument naming --rf when rf is per zone or exceeds the nodes.
void require_plain_rf(const ModelContext& context);

}  // namespace replisim
