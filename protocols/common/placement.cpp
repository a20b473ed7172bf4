#include "protocols/common/placement.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "protocols/common/key_hash.hpp"

namespace replisim {

Placement::Placement(int node_count, std::vector<std::vector<NodeId>> replicas)
    : node_count_(node_count), replicas_(std::move(replicas))
{
  if (replicas_.empty())
    throw std::invalid_argument("a placement needs at least one unit");
  for (const auto& set : replicas_)
    if (set.empty())
      throw std::invalid_argument("every unit needs at least one replica");
  index_units();
}

// Counting sort of (node, unit) pairs: each node's units come out ascending.
// A node listed twice in one unit's set holds the unit once.
void Placement::index_units()
{
  const auto nodes = static_cast<std::size_t>(node_count_);
  std::vector<std::size_t> count(nodes + 1, 0);
  for (const auto& set : replicas_)
    for (NodeId n : set)
      if (n >= 0 && static_cast<std::size_t>(n) < nodes)
        ++count[static_cast<std::size_t>(n) + 1];
  for (std::size_t n = 0; n < nodes; ++n)
    count[n + 1] += count[n];
  node_units_.assign(count.back(), 0);
  node_start_.assign(count.begin(), count.end() - 1);
  node_end_ = node_start_;
  for (UnitId unit = 0; unit < unit_count(); ++unit)
    for (NodeId n : replicas_[static_cast<std::size_t>(unit)]) {
      if (n < 0 || static_cast<std::size_t>(n) >= nodes)
        continue;
      std::size_t& end = node_end_[static_cast<std::size_t>(n)];
      if (end == node_start_[static_cast<std::size_t>(n)] || node_units_[end - 1] != unit)
        node_units_[end++] = unit;
    }
}

std::span<const UnitId> Placement::units_of(NodeId node) const
{
  if (node < 0 || node >= node_count_)
    return {};
  const auto n = static_cast<std::size_t>(node);
  return {node_units_.data() + node_start_[n], node_end_[n] - node_start_[n]};
}

Placement::Placement(int node_count, std::vector<std::vector<NodeId>> replicas, std::vector<std::uint64_t> ring_tokens)
    : Placement(node_count, std::move(replicas))
{
  if (ring_tokens.size() != replicas_.size())
    throw std::invalid_argument("a token ring needs one token per unit");
  if (!std::is_sorted(ring_tokens.begin(), ring_tokens.end()))
    throw std::invalid_argument("ring tokens must be in ascending order");
  ring_tokens_ = std::move(ring_tokens);
}

std::vector<NodeId> Placement::primaries() const
{
  std::vector<NodeId> result;
  for (const auto& set : replicas_)
    result.push_back(set.front());
  return result;
}

bool Placement::is_replica(UnitId unit, NodeId node) const
{
  const auto set = replicas(unit);
  return std::find(set.begin(), set.end(), node) != set.end();
}

int Placement::position(UnitId unit, NodeId node) const
{
  const auto set = replicas(unit);
  const auto it = std::find(set.begin(), set.end(), node);
  return it == set.end() ? -1 : static_cast<int>(it - set.begin());
}

UnitId Placement::unit_of(Key key) const
{
  const std::uint64_t hash = stable_hash(key);
  if (ring_tokens_.empty())
    return static_cast<UnitId>(hash % static_cast<std::uint64_t>(replicas_.size()));
  // Cassandra: the range (previous, token] belongs to token's position, so the
  // first token >= hash; past the last token the ring wraps to the first.
  const auto it = std::lower_bound(ring_tokens_.begin(), ring_tokens_.end(), hash);
  return it == ring_tokens_.end() ? 0 : static_cast<UnitId>(it - ring_tokens_.begin());
}

Placement leader_follower_placement(int nodes, int rf)
{
  if (rf < 1 || rf > nodes)
    throw std::invalid_argument("rf must be between 1 and the node count");
  std::vector<std::vector<NodeId>> sets;
  for (int shard = 0; shard + 1 <= nodes / rf; ++shard) {
    std::vector<NodeId> members;
    for (int j = 0; j < rf; ++j)
      members.push_back(shard * rf + j);
    sets.push_back(std::move(members));
  }
  return Placement(nodes, std::move(sets));
}

}  // namespace replisim
