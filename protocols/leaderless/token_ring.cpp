// The ring walks follow Cassandra's SimpleStrategy and NetworkTopologyStrategy
// (calculateNaturalReplicas): start at the range's own token, go clockwise,
// and add each node not yet added until the replication factor is met.
#include "protocols/leaderless/token_ring.hpp"

#include "protocols/common/setting_error.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

#include "protocols/common/rng.hpp"

namespace replisim {
namespace {

void check_ring(const std::vector<RingToken>& ring, int node_count)
{
  if (ring.empty())
    throw std::invalid_argument("a token ring needs at least one token");
  for (std::size_t i = 0; i < ring.size(); ++i) {
    if (ring[i].node < 0 || ring[i].node >= node_count)
      throw std::invalid_argument("token ring: node " + std::to_string(ring[i].node) + " is outside [0, " +
                                  std::to_string(node_count) + ")");
    if (i > 0 && ring[i].token < ring[i - 1].token)
      throw std::invalid_argument("token ring: tokens must be in ascending order");
  }
}

// Distinct nodes on the ring, counted per zone (one zone when node_zone maps
// every node to 0).
std::vector<int> distinct_nodes_per_zone(const std::vector<RingToken>& ring, const std::vector<int>& node_zone,
                                         int zones)
{
  std::vector<bool> on_ring(node_zone.size(), false);
  for (const RingToken& t : ring)
    on_ring[static_cast<std::size_t>(t.node)] = true;
  std::vector<int> count(static_cast<std::size_t>(zones), 0);
  for (std::size_t n = 0; n < node_zone.size(); ++n)
    if (on_ring[n])
      ++count[static_cast<std::size_t>(node_zone[n])];
  return count;
}

bool contains(const std::vector<NodeId>& nodes, NodeId node)
{
  return std::find(nodes.begin(), nodes.end(), node) != nodes.end();
}

// The walk both strategies share: from position `start` clockwise, offer each
// node not yet taken to `wants(node)`; stop once `want_total` are taken. The
// callers have checked that the ring holds enough nodes, so the walk ends
// within one turn.
template <typename Wants>
std::vector<NodeId> walk_clockwise(const std::vector<RingToken>& ring, std::size_t start, int want_total, Wants wants)
{
  std::vector<NodeId> replicas;
  replicas.reserve(static_cast<std::size_t>(want_total));
  for (std::size_t step = 0; step < ring.size() && static_cast<int>(replicas.size()) < want_total; ++step) {
    const NodeId node = ring[(start + step) % ring.size()].node;
    if (!contains(replicas, node) && wants(node))
      replicas.push_back(node);
  }
  return replicas;
}

std::vector<std::uint64_t> tokens_of(const std::vector<RingToken>& ring)
{
  std::vector<std::uint64_t> tokens;
  tokens.reserve(ring.size());
  for (const RingToken& t : ring)
    tokens.push_back(t.token);
  return tokens;
}

}  // namespace

std::vector<RingToken> random_tokens(int nodes, int vnodes, std::uint64_t seed)
{
  if (nodes < 1)
    throw SettingError(Setting::nodes, "must be at least 1");
  if (vnodes < 1)
    throw SettingError(Setting::vnodes, "must be at least 1");
  Rng rng(seed);
  std::vector<RingToken> ring;
  ring.reserve(static_cast<std::size_t>(nodes) * static_cast<std::size_t>(vnodes));
  for (NodeId node = 0; node < nodes; ++node)
    for (int v = 0; v < vnodes; ++v)
      ring.push_back({rng.next(), node});
  std::sort(ring.begin(), ring.end(), [](const RingToken& a, const RingToken& b) {
    return a.token != b.token ? a.token < b.token : a.node < b.node;
  });
  return ring;
}

Placement simple_strategy(const std::vector<RingToken>& ring, int node_count, int rf)
{
  check_ring(ring, node_count);
  if (rf < 1)
    throw SettingError(Setting::rf, "must be at least 1");
  const int distinct = distinct_nodes_per_zone(ring, std::vector<int>(static_cast<std::size_t>(node_count), 0), 1)[0];
  if (rf > distinct)
    throw SettingError(Setting::rf, std::to_string(rf) + " is larger than the " + std::to_string(distinct) +
                                " distinct nodes on the ring");
  std::vector<std::vector<NodeId>> replicas;
  replicas.reserve(ring.size());
  for (std::size_t i = 0; i < ring.size(); ++i)
    replicas.push_back(walk_clockwise(ring, i, rf, [](NodeId) { return true; }));
  return Placement(node_count, std::move(replicas), tokens_of(ring));
}

Placement network_topology_strategy(const std::vector<RingToken>& ring, const std::vector<int>& node_zone,
                                    const std::vector<int>& rf_per_zone)
{
  const int node_count = static_cast<int>(node_zone.size());
  const int zones = static_cast<int>(rf_per_zone.size());
  check_ring(ring, node_count);
  for (int n = 0; n < node_count; ++n)
    if (node_zone[static_cast<std::size_t>(n)] < 0 || node_zone[static_cast<std::size_t>(n)] >= zones)
      throw SettingError(Setting::rf, "node " + std::to_string(n) + " is in zone " +
                                  std::to_string(node_zone[static_cast<std::size_t>(n)]) + ", which has no rf");
  int total_rf = 0;
  for (int z = 0; z < zones; ++z) {
    if (rf_per_zone[static_cast<std::size_t>(z)] < 0)
      throw SettingError(Setting::rf, "zone " + std::to_string(z) + " has a negative rf");
    total_rf += rf_per_zone[static_cast<std::size_t>(z)];
  }
  if (total_rf < 1)
    throw SettingError(Setting::rf, "at least one zone needs an rf of 1 or more");
  const std::vector<int> have = distinct_nodes_per_zone(ring, node_zone, zones);
  for (int z = 0; z < zones; ++z)
    if (have[static_cast<std::size_t>(z)] < rf_per_zone[static_cast<std::size_t>(z)])
      throw SettingError(Setting::rf, "zone " + std::to_string(z) + " has " +
                                  std::to_string(have[static_cast<std::size_t>(z)]) + " nodes, fewer than rf " +
                                  std::to_string(rf_per_zone[static_cast<std::size_t>(z)]));

  std::vector<std::vector<NodeId>> replicas;
  replicas.reserve(ring.size());
  std::vector<int> taken(static_cast<std::size_t>(zones));
  for (std::size_t i = 0; i < ring.size(); ++i) {
    std::fill(taken.begin(), taken.end(), 0);
    replicas.push_back(walk_clockwise(ring, i, total_rf, [&](NodeId node) {
      const auto z = static_cast<std::size_t>(node_zone[static_cast<std::size_t>(node)]);
      if (taken[z] >= rf_per_zone[z])
        return false;
      ++taken[z];
      return true;
    }));
  }
  return Placement(node_count, std::move(replicas), tokens_of(ring));
}

}  // namespace replisim
