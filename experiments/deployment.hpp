// A replication model instantiated for one run: its placement, one state
// machine per node and a router per client. The one place that knows which
// model classes exist.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "actors/cluster.hpp"
#include "experiments/role_graph.hpp"
#include "experiments/run_config.hpp"
#include "protocols/client.hpp"
#include "protocols/membership.hpp"
#include "protocols/multi_leader.hpp"
#include "protocols/placement.hpp"

namespace replisim {

struct Deployment {
  std::unique_ptr<Placement> placement;
  std::vector<std::unique_ptr<NodeMachine>> nodes;
  std::vector<std::unique_ptr<Router>> routers;  // one per client
  int start_index = -1;                          // partitioned: Kafka's start index used
  std::unique_ptr<Membership> membership;        // which nodes are up, and their zones
  std::vector<std::string> zones;                // zone names, by zone index
  bool leaderless = false;                       // no unit has a leader
  std::unique_ptr<LeaderGroups> groups;          // multi-leader: the leaders and their followers
  std::vector<NodeId> leaders() const;           // per unit, at the end of the run (the first, with several)
  RoleGraph role_graph() const;                  // the unit–node roles at the end of the run
};

// The units of `config.model` on the cluster's nodes. Throws
// std::invalid_argument naming the flag when they cannot be placed.
Placement place_units(const RunConfig& config, const Cluster& cluster);
// Multi-leader: the first `leaders_per_zone` nodes of each zone lead; the
// zone's other nodes follow them in turn.
LeaderGroups leader_groups(const Membership& membership, int leaders_per_zone);
int kafka_start_index(const RunConfig& config, int nodes);

// `unit,leader,replicas` CSV: node ids in node order, replicas in assignment
// order joined by ';' (the leader first while no failover has happened).
std::string placement_csv(const Deployment& deployment);

// Builds the model `config.model` for the cluster's nodes. Throws
// std::invalid_argument naming the flag when the model cannot fit the cluster.
Deployment deploy(const RunConfig& config, const Cluster& cluster);

}  // namespace replisim
