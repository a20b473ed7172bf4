#include "experiments/deployment.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "protocols/consistency.hpp"
#include "protocols/coordinator_router.hpp"
#include "protocols/kafka_assignment.hpp"
#include "protocols/leaderless.hpp"
#include "protocols/token_ring.hpp"
#include "protocols/leader_follower.hpp"
#include "protocols/rng.hpp"
#include "protocols/replica_router.hpp"

namespace replisim {

namespace {
constexpr std::uint64_t kStartIndexStream = 1u << 20;  // past every client's stream
constexpr std::uint64_t kRingStream = (1u << 20) + 1;
}  // namespace

RoleGraph Deployment::role_graph() const
{
  if (!groups)
    return RoleGraph(*placement, leaders());
  // Multi-leader: every leader is primary and leader of the whole key space.
  return RoleGraph(*placement, {groups->leaders}, {groups->leaders});
}

std::vector<NodeId> Deployment::leaders() const
{
  // No model fails over yet, so every unit is still led by its primary; in a
  // leaderless store no unit has a leader (coordinators lead requests).
  if (leaderless)
    return std::vector<NodeId>(static_cast<std::size_t>(placement->unit_count()), kNoNode);
  return placement->primaries();
}

int kafka_start_index(const RunConfig& config, int nodes)
{
  if (config.start_index >= 0)
    return config.start_index;
  // Kafka draws it at random; replisim draws it from the run's seed.
  return static_cast<int>(derive_seed(config.seed, kStartIndexStream) % static_cast<std::uint64_t>(nodes));
}

namespace {

// Zone indices in order of first appearance in the node list.
std::vector<int> zone_indices(const Cluster& cluster, std::vector<std::string>& names)
{
  std::vector<int> zone;
  for (const HostInfo& h : cluster.nodes()) {
    auto it = std::find(names.begin(), names.end(), h.zone);
    if (it == names.end())
      it = names.insert(names.end(), h.zone);
    zone.push_back(static_cast<int>(it - names.begin()));
  }
  return zone;
}

Placement ring_placement(const RunConfig& config, const Cluster& cluster)
{
  const int nodes = static_cast<int>(cluster.nodes().size());
  const auto ring = random_tokens(nodes, config.vnodes, derive_seed(config.seed, kRingStream));
  if (config.strategy == "simple")
    return simple_strategy(ring, nodes, config.rf);
  std::vector<std::string> names;
  const std::vector<int> zone = zone_indices(cluster, names);
  std::vector<int> rf_per_zone(names.size(), config.rf_per_zone.empty() ? config.rf : 0);
  for (const auto& [name, rf] : config.rf_per_zone) {
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end())
      throw std::invalid_argument(fmt::format("--rf: no zone '{}' (zones: {})", name, fmt::join(names, ", ")));
    rf_per_zone[static_cast<std::size_t>(it - names.begin())] = rf;
  }
  return network_topology_strategy(ring, zone, rf_per_zone);
}

}  // namespace

LeaderGroups leader_groups(const Membership& membership, int leaders_per_zone)
{
  LeaderGroups g;
  for (int z = 0; z < membership.zone_count; ++z) {
    std::vector<NodeId> zone;
    for (NodeId n = 0; n < membership.node_count(); ++n)
      if (membership.zone[n] == z)
        zone.push_back(n);
    if (static_cast<int>(zone.size()) < leaders_per_zone)
      throw std::invalid_argument(fmt::format("--leaders-per-zone: {} is more than the {} nodes of a zone",
                                              leaders_per_zone, zone.size()));
    const std::size_t first = g.leaders.size();
    for (int i = 0; i < leaders_per_zone; ++i) {
      g.leaders.push_back(zone[static_cast<std::size_t>(i)]);
      g.followers_of.emplace_back();
    }
    // The zone's other nodes follow its leaders in turn.
    for (std::size_t i = static_cast<std::size_t>(leaders_per_zone); i < zone.size(); ++i)
      g.followers_of[first + (i - static_cast<std::size_t>(leaders_per_zone)) % static_cast<std::size_t>(leaders_per_zone)]
          .push_back(zone[i]);
  }
  return g;
}

Placement place_units(const RunConfig& config, const Cluster& cluster)
{
  const int nodes = static_cast<int>(cluster.nodes().size());
  if (config.model == "multi-leader") {
    // One unit, the whole key space, held by every node.
    std::vector<NodeId> all(static_cast<std::size_t>(nodes));
    std::iota(all.begin(), all.end(), 0);
    return Placement(nodes, {all});
  }
  if (config.model == "leaderless")
    return ring_placement(config, cluster);
  if (config.model == "partitioned") {
    // The zone is the rack: rack-aware assignment as soon as nodes span two zones.
    std::vector<std::string> racks;
    for (const HostInfo& h : cluster.nodes())
      racks.push_back(h.zone);
    const int units = config.units_given ? config.units : nodes;
    return kafka_placement(nodes, units, config.rf, kafka_start_index(config, nodes), racks);
  }
  return leader_follower_placement(nodes, config.rf);
}

std::string placement_csv(const Deployment& d)
{
  std::string csv = "unit,leader,replicas\n";
  const auto leaders = d.leaders();
  for (UnitId u = 0; u < d.placement->unit_count(); ++u)
    csv += fmt::format("{},{},{}\n", u, leaders[u], fmt::join(d.placement->replicas(u), ";"));
  return csv;
}

Deployment deploy(const RunConfig& config, const Cluster& cluster)
{
  const int nodes = static_cast<int>(cluster.nodes().size());
  if (config.rf_per_zone.empty() && config.rf > nodes)
    throw std::invalid_argument(fmt::format("--rf: {} is larger than the node count ({})", config.rf, nodes));

  Deployment d;
  d.leaderless = config.model == "leaderless";
  d.membership = std::make_unique<Membership>(Membership::all_up(zone_indices(cluster, d.zones)));
  for (const std::string& host : config.down) {
    const auto& all = cluster.nodes();
    auto it = std::find_if(all.begin(), all.end(), [&](const HostInfo& h) { return h.name == host; });
    if (it == all.end())
      throw std::invalid_argument(fmt::format("--down: no node host '{}'", host));
    d.membership->alive[static_cast<std::size_t>(it - all.begin())] = false;
  }
  d.placement = std::make_unique<Placement>(place_units(config, cluster));
  if (config.model == "partitioned")
    d.start_index = kafka_start_index(config, nodes);
  if (config.model == "multi-leader") {
    d.groups = std::make_unique<LeaderGroups>(leader_groups(*d.membership, config.leaders_per_zone));
    const MultiLeaderConfig mc{config.concern, config.replication_interval_s};
    for (NodeId n = 0; n < nodes; ++n)
      d.nodes.push_back(std::make_unique<MultiLeaderNode>(n, *d.groups, mc));
    for (ClientId c = 0; c < config.clients; ++c) {
      std::vector<double> latency;
      for (NodeId n = 0; n < nodes; ++n)
        latency.push_back(cluster.latency_client_to_node(c, n));
      d.routers.push_back(std::make_unique<LeaderRouter>(*d.groups, config.leader_choice == "random", latency));
    }
    return d;
  }
  if (d.leaderless) {
    const LeaderlessConfig lc{parse_consistency(config.consistency), parse_consistency(config.read_consistency),
                              config.read_repair, config.timeout_s};
    for (NodeId n = 0; n < nodes; ++n)
      d.nodes.push_back(std::make_unique<LeaderlessNode>(n, *d.placement, *d.membership, lc));
    const std::vector<std::string>& zones = d.zones;
    for (ClientId c = 0; c < config.clients; ++c) {
      const auto zone = std::find(zones.begin(), zones.end(), cluster.host_of_client(c).zone);
      d.routers.push_back(std::make_unique<CoordinatorRouter>(*d.placement, *d.membership,
                                                              parse_coordinator_choice(config.coordinator),
                                                              static_cast<int>(zone - zones.begin())));
    }
    return d;
  }
  for (NodeId n = 0; n < nodes; ++n)
    d.nodes.push_back(std::make_unique<LeaderFollowerNode>(n, *d.placement, config.concern, config.min_insync));
  for (ClientId c = 0; c < config.clients; ++c) {
    std::vector<double> latency;
    if (config.reads_from == ReadFrom::nearest)
      for (NodeId n = 0; n < nodes; ++n)
        latency.push_back(cluster.latency_client_to_node(c, n));
    d.routers.push_back(std::make_unique<ReplicaRouter>(*d.placement, config.reads_from, std::move(latency)));
  }
  return d;
}

}  // namespace replisim
