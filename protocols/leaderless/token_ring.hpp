// Cassandra's token ring as pure functions: where each token range lives and
// which replica is its primary. replisim's `leaderless` model places its units
// with them, so the storage roles it reports are those of a Cassandra cluster.
//
// Every ring position is one unit: the token range (previous token, this
// token], the first position also taking the wrap-around past the last token.
// The unit's replicas are met walking clockwise from its own position, and the
// first of them is its primary. Tokens are unsigned 64-bit values compared with
// stable_hash(key) (Cassandra's Murmur3Partitioner uses signed ones; the ring
// is the same shifted by 2^63).
#pragma once
#include <cstdint>
#include <vector>

#include "protocols/common/placement.hpp"
#include "protocols/common/types.hpp"

namespace replisim {

struct RingToken {
  std::uint64_t token;
  NodeId node;
};

// `vnodes` tokens per node (Cassandra's num_tokens), uniform over 64 bits,
// drawn from Rng(seed) node by node; sorted by token, ties by node id (a tie
// has probability ~ (nodes·vnodes)² / 2^65, and an equal token only makes an
// empty range, so it is not redrawn). Throws std::invalid_argument naming
// --nodes or --vnodes when either is below 1.
std::vector<RingToken> random_tokens(int nodes, int vnodes, std::uint64_t seed);

// SimpleStrategy: each unit's replicas are the next `rf` distinct nodes
// clockwise from its position. `ring` must be sorted by token, its node ids in
// [0, node_count). Throws SettingError(Setting::rf, ...) for rf < 1 or rf
// above the number of distinct nodes on the ring.
Placement simple_strategy(const std::vector<RingToken>& ring, int node_count, int rf);

// NetworkTopologyStrategy: for each zone z, walk clockwise from the unit's
// position taking distinct nodes of zone z until rf_per_zone[z] of them (a
// zone with rf 0 takes none). The replica list is in the order the walk meets
// them across zones, so the primary is the first replica-holding node
// clockwise. node_zone[n] is node n's zone index (node_count =
// node_zone.size()); rf_per_zone has one entry per zone.
//
// Cassandra's NTS also prefers racks not yet holding a replica within a DC.
// replisim's zones play Cassandra's datacenters and have no racks inside, so
// the rule here is distinct nodes per zone, which is what NTS does in a DC of
// one rack.
//
// Throws SettingError(Setting::rf, "zone X has N nodes, fewer than rf M")
// when a zone has fewer distinct nodes on the ring than its rf, and for a
// negative rf, an rf of 0 in every zone, or a node whose zone has no rf.
Placement network_topology_strategy(const std::vector<RingToken>& ring, const std::vector<int>& node_zone,
                                    const std::vector<int>& rf_per_zone);

}  // namespace replisim
