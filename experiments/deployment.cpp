#include "experiments/deployment.hpp"

#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "protocols/kafka_assignment.hpp"
#include "protocols/leader_follower.hpp"
#include "protocols/rng.hpp"
#include "protocols/replica_router.hpp"

namespace replisim {

namespace {
constexpr std::uint64_t kStartIndexStream = 1u << 20;  // past every client's stream
}  // namespace

std::vector<NodeId> Deployment::leaders() const
{
  // No model fails over yet, so every unit is still led by its primary.
  std::vector<NodeId> result;
  for (UnitId u = 0; u < placement->unit_count(); ++u)
    result.push_back(placement->primary(u));
  return result;
}

int kafka_start_index(const RunConfig& config, int nodes)
{
  if (config.start_index >= 0)
    return config.start_index;
  // Kafka draws it at random; replisim draws it from the run's seed.
  return static_cast<int>(derive_seed(config.seed, kStartIndexStream) % static_cast<std::uint64_t>(nodes));
}

Placement place_units(const RunConfig& config, const Cluster& cluster)
{
  const int nodes = static_cast<int>(cluster.nodes().size());
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
  if (config.rf > nodes)
    throw std::invalid_argument(fmt::format("--rf: {} is larger than the node count ({})", config.rf, nodes));

  Deployment d;
  d.placement = std::make_unique<Placement>(place_units(config, cluster));
  if (config.model == "partitioned")
    d.start_index = kafka_start_index(config, nodes);
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
