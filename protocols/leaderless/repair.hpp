// Anti-entropy repair, as Cassandra's full repair (`nodetool repair -full
// -pr` run on every node): a replica that missed writes (down past the hint
// window, hints off, a hint lost) stays divergent until a read repairs the
// key, or a repair the whole range.
//
// At every multiple of the repair interval each node repairs the token
// ranges it is the primary replica of, one range after the other (a repair session per
// range, Cassandra's RepairSession). For a range:
//  1. validation: the node, as repair coordinator, asks every replica of the
//     range (itself included) for a Merkle tree of its rows in it; each
//     replica builds the tree over what it holds (Cassandra's validation
//     compaction) and sends it back. The tree has 2^depth leaves, depth =
//     ceil(log2(rows)) capped at 20, as Cassandra 4.0's ValidationManager
//     sizes it from the partitions in the range (here the coordinator's own
//     count, so that every replica's tree has the same leaves). A leaf's
//     digest is the XOR of the hashes of its rows (Cassandra's MerkleTree),
//     16 bytes each on the wire.
//  2. comparison: the coordinator compares every tree with every other; for
//     each pair of replicas whose trees differ it sends one of them a sync
//     request naming the other and the differing leaves.
//  3. streaming: that replica streams its rows of those leaves to the peer,
//     which takes every row newer than its own and streams its own rows of
//     the same leaves back (Cassandra streams both ways); the first then
//     tells the coordinator the sync is complete. A whole leaf goes, not only
//     the rows that differ: "about 30 partitions are streamed" for one
//     damaged partition of a million (DataStax, Manual repair: Anti-entropy
//     repair).
// A range goes on to the next once every sync completed. A range with a
// replica seen down is skipped (Cassandra's repair fails when a neighbour is
// down). A session still running when the next repair is due is abandoned
// (a message lost to a fault would hold it for ever).
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "protocols/common/messages.hpp"
#include "protocols/common/placement.hpp"

namespace replisim {

// Cassandra 4.0 caps a range's tree at depth 20.
inline constexpr std::uint32_t kMaxTreeLeaves = 1u << 20;

// 2^ceil(log2(rows)), at least 1, at most kMaxTreeLeaves.
std::uint32_t tree_leaves(std::size_t rows);
std::uint32_t leaf_of(Key key, std::uint32_t leaf_count);

// One replica's tree of `unit`'s rows among `data`.
std::vector<std::uint64_t> merkle_tree(const std::unordered_map<Key, Version>& data, const Placement& placement,
                                       UnitId unit, std::uint32_t leaf_count);
// Leaves whose digests differ, in order.
std::vector<std::uint32_t> differing_leaves(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b);
// The rows of `unit` in `leaves`, by key.
std::vector<StreamedRow> rows_in(const std::unordered_map<Key, Version>& data, const Placement& placement,
                                 UnitId unit, std::uint32_t leaf_count, const std::vector<std::uint32_t>& leaves);
std::size_t rows_of(const std::unordered_map<Key, Version>& data, const Placement& placement, UnitId unit);

// A repair coordinator's progress through its ranges (volatile).
struct RepairJob {
  std::vector<UnitId> ranges;  // the ranges of the current repair
  std::size_t next = 0;        // the next range to start
  OpId session = 0;            // the running range's session (0: none)
  UnitId unit = 0;
  std::uint32_t leaf_count = 1;
  std::vector<NodeId> replicas;
  std::vector<std::vector<std::uint64_t>> trees;  // per replica, in `replicas` order
  std::vector<bool> tree_in;
  int syncs_pending = 0;
};

}  // namespace replisim
