#include "protocols/placement.hpp"

#include <algorithm>
#include <stdexcept>

#include "protocols/key_hash.hpp"

namespace replisim {

Placement::Placement(int node_count, std::vector<std::vector<NodeId>> replicas)
    : node_count_(node_count), replicas_(std::move(replicas))
{
  if (replicas_.empty())
    throw std::invalid_argument("a placement needs at least one unit");
  for (const auto& set : replicas_)
    if (set.empty())
      throw std::invalid_argument("every unit needs at least one replica");
}

bool Placement::is_replica(UnitId unit, NodeId node) const
{
  const auto set = replicas(unit);
  return std::find(set.begin(), set.end(), node) != set.end();
}

UnitId Placement::unit_of(Key key) const
{
  return static_cast<UnitId>(stable_hash(key) % static_cast<std::uint64_t>(replicas_.size()));
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
