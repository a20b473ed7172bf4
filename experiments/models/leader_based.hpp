// What leader-follower (MongoDB) and partitioned leaders (Kafka) share: each
// unit's primary leads it, orders its writes into a log and replicates them
// (protocols/leader_follower.*); clients write to the leader and read where
// --read-from says. The two differ in how units are placed on nodes and in
// the rule that acknowledges a write.
#pragma once
#include "experiments/models/model.hpp"
#include "protocols/replica_router.hpp"
#include "protocols/write_concern.hpp"

namespace replisim {

// --read-from, which both declare.
ParamSpec read_from_param();

class LeaderBasedModel : public Model {
public:
  LeaderBasedModel(const ModelContext& context, Placement placement, WriteConcern concern, int min_insync);

  const Placement& placement() const override { return placement_; }
  std::unique_ptr<NodeMachine> make_node(NodeId node) override;
  std::unique_ptr<Router> make_router(ClientId client) override;
  UnitRoles roles() const override;

private:
  const Cluster& cluster_;
  Placement placement_;
  WriteConcern concern_;
  int min_insync_;
  ReadFrom read_from_;
};

// Throws std::invalid_argument naming --rf when rf is per zone or exceeds the nodes.
void require_plain_rf(const ModelContext& context);

}  // namespace replisim
