// leader-follower: MongoDB's sharded cluster, every shard its own replica set.
#include <fmt/format.h>

#include "experiments/core/models/client_driver.hpp"
#include "experiments/core/models/failover.hpp"
#include "experiments/core/models/leader_based.hpp"
#include "experiments/core/models/registry.hpp"

namespace replisim {

namespace {

const ChoiceParam kWriteConcern{{
    .name = "write-concern",
    .default_value = "majority",
    .help = "replicas (the leader included) holding a write before it is acknowledged: 1, majority or all "
            "(MongoDB's w)",
    .choices = {"1", "majority", "all"},
}};

}  // namespace

void add_leader_follower(ModelRegistry& registry)
{
  std::vector<ParamSpec> params = {kWriteConcern.spec(), kReadFrom.spec()};
  for (ParamSpec& p : failover_params())
    params.push_back(std::move(p));
  for (ParamSpec& p : client_driver_params())
    params.push_back(std::move(p));

  registry.add({
      "leader-follower",
      "MongoDB replica sets, one per shard",
      std::move(params),
      {},
      [](const ModelContext& context) -> std::unique_ptr<Model> {
        require_plain_rf(context);
        const int nodes = static_cast<int>(context.cluster.nodes().size());
        return std::make_unique<LeaderBasedModel>(context, leader_follower_placement(nodes, context.config.rf),
                                                  parse_write_concern(context.params[kWriteConcern]), 1);
      },
  });
}

}  // namespace replisim
