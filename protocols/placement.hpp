// Where the units of data live: for each unit, its replica set in order. The
// first replica is the unit's primary (storage role) and, before any failover,
// its leader (write role).
#pragma once
#include <span>
#include <vector>

#include "protocols/types.hpp"

namespace replisim {

class Placement {
public:
  Placement(int node_count, std::vector<std::vector<NodeId>> replicas);

  int node_count() const { return node_count_; }
  int unit_count() const { return static_cast<int>(replicas_.size()); }
  std::span<const NodeId> replicas(UnitId unit) const { return replicas_.at(unit); }
  NodeId primary(UnitId unit) const { return replicas_.at(unit).front(); }
  bool is_replica(UnitId unit, NodeId node) const;
  UnitId unit_of(Key key) const;

private:
  int node_count_;
  std::vector<std::vector<NodeId>> replicas_;
};

// MongoDB-style sharded cluster: shard i's replica set is nodes [i·rf, (i+1)·rf),
// its first member the primary. Nodes beyond the last full set hold nothing.
Placement leader_follower_placement(int nodes, int rf);

}  // namespace replisim
