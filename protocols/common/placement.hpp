// Where the units of data live: for each unit, its replica set in order. The
// first replica is the unit's primary (storage role) and, before any failover,
// its leader (write role).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "protocols/common/types.hpp"

namespace replisim {

class Placement {
public:
  Placement(int node_count, std::vector<std::vector<NodeId>> replicas);
  // A token ring (Cassandra): unit i is the token range (ring_tokens[i − 1],
  // ring_tokens[i]], unit 0 also takes everything past the last token. One
  // token per unit, in ascending order (equal tokens allowed: the later one
  // owns an empty range).
  Placement(int node_count, std::vector<std::vector<NodeId>> replicas, std::vector<std::uint64_t> ring_tokens);

  int node_count() const { return node_count_; }
  int unit_count() const { return static_cast<int>(replicas_.size()); }
  std::span<const NodeId> replicas(UnitId unit) const { return replicas_.at(unit); }
  NodeId primary(UnitId unit) const { return replicas_.at(unit).front(); }
  std::vector<NodeId> primaries() const;  // per unit
  bool is_replica(UnitId unit, NodeId node) const;
  // `node`'s place in the unit's replica set (0: the primary); -1 if it holds no replica.
  int position(UnitId unit, NodeId node) const;
  // The units `node` holds a replica of, ascending: what a node's machine
  // walks at set-up instead of every unit (nodes × units at 10,000 nodes).
  std::span<const UnitId> units_of(NodeId node) const;
  // With ring tokens: the unit of the first token >= stable_hash(key), or
  // unit 0 past the last token. Without: stable_hash(key) % unit_count().
  UnitId unit_of(Key key) const;
  // Empty unless the placement is a token ring.
  const std::vector<std::uint64_t>& ring_tokens() const { return ring_tokens_; }

private:
  void index_units();

  int node_count_;
  std::vector<std::vector<NodeId>> replicas_;
  // units_of(n) is node_units_[node_start_[n], node_end_[n]).
  std::vector<std::size_t> node_start_;
  std::vector<std::size_t> node_end_;
  std::vector<UnitId> node_units_;
  std::vector<std::uint64_t> ring_tokens_;
};

// MongoDB-style sharded cluster: shard i's replica set is nodes [i·rf, (i+1)·rf),
// its first member the primary. Nodes beyond the last full set hold nothing.
Placement leader_follower_placement(int nodes, int rf);

}  // namespace replisim
