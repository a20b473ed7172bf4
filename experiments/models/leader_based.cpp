#include "experiments/models/leader_based.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "protocols/leader_follower.hpp"

namespace replisim {

ParamSpec read_from_param()
{
  ParamSpec p;
  p.name = "read-from";
  p.type = ParamType::choice;
  p.default_value = "primary";
  p.choices = {"primary", "leader", "secondary", "follower", "nearest"};
  p.help = "where reads go: primary (or leader), secondary (or follower: a random non-leader replica of the unit) or "
           "nearest (lowest route latency from the client)";
  return p;
}

void require_plain_rf(const ModelContext& context)
{
  const RunConfig& c = context.config;
  if (!c.rf_per_zone.empty())
    throw std::invalid_argument("--rf: an rf per zone needs --model leaderless --strategy network-topology");
  const int nodes = static_cast<int>(context.cluster.nodes().size());
  if (c.rf > nodes)
    throw std::invalid_argument(fmt::format("--rf: {} is larger than the node count ({})", c.rf, nodes));
}

LeaderBasedModel::LeaderBasedModel(const ModelContext& context, Placement placement, WriteConcern concern,
                                   int min_insync)
    : Model(context.config.rf), cluster_(context.cluster), placement_(std::move(placement)), concern_(concern),
      min_insync_(min_insync), read_from_(parse_read_from(context.params.text("read-from")))
{
}

std::unique_ptr<NodeMachine> LeaderBasedModel::make_node(NodeId node)
{
  return std::make_unique<LeaderFollowerNode>(node, placement_, concern_, min_insync_);
}

std::unique_ptr<Router> LeaderBasedModel::make_router(ClientId client)
{
  std::vector<double> latency;
  if (read_from_ == ReadFrom::nearest)
    for (NodeId n = 0; n < placement_.node_count(); ++n)
      latency.push_back(cluster_.latency_client_to_node(client, n));
  return std::make_unique<ReplicaRouter>(placement_, read_from_, std::move(latency));
}

UnitRoles LeaderBasedModel::roles() const
{
  // No failover yet: every unit is led by its primary.
  UnitRoles r;
  for (NodeId p : placement_.primaries()) {
    r.primaries.push_back({p});
    r.leaders.push_back({p});
  }
  return r;
}

}  // namespace replisim
