#include "experiments/deployment.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "protocols/leader_follower.hpp"
#include "protocols/replica_router.hpp"

namespace replisim {

std::vector<NodeId> Deployment::leaders() const
{
  // No model fails over yet, so every unit is still led by its primary.
  std::vector<NodeId> result;
  for (UnitId u = 0; u < placement->unit_count(); ++u)
    result.push_back(placement->primary(u));
  return result;
}

Deployment deploy(const RunConfig& config, const Cluster& cluster)
{
  const int nodes = static_cast<int>(cluster.nodes().size());
  if (config.rf > nodes)
    throw std::invalid_argument(fmt::format("--rf: {} is larger than the node count ({})", config.rf, nodes));

  Deployment d;
  d.placement = std::make_unique<Placement>(leader_follower_placement(nodes, config.rf));
  for (NodeId n = 0; n < nodes; ++n)
    d.nodes.push_back(std::make_unique<LeaderFollowerNode>(n, *d.placement, config.concern));
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
