// leader-follower: MongoDB's sharded cluster, every shard its own replica set.
#include <fmt/format.h>

#include "experiments/core/models/client_driver.hpp"
#include "experiments/core/models/failure_detector.hpp"
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

const ChoiceParam kReadConcern{{
    .name = "read-concern",
    .default_value = "local",
    .help = "what a read returns (MongoDB's readConcern): local (the replica's latest), majority (its "
            "majority-committed snapshot, also on secondaries) or linearizable (the primary only: it "
            "majority-commits a no-op first)",
    .choices = {"local", "majority", "linearizable"},
}};

// MongoDB serves linearizable reads at the primary only ("you can specify
// linearizable read concern for read operations on the primary only").
ReadConcern read_concern(const ModelContext& context)
{
  const ReadConcern reads = parse_read_concern(context.params[kReadConcern]);
  if (reads == ReadConcern::linearizable && parse_read_from(context.params[kReadFrom]) != ReadFrom::primary)
    throw std::invalid_argument(fmt::format("--read-concern: linearizable reads are served by the primary only, not "
                                            "with --read-from {}",
                                            context.params[kReadFrom]));
  return reads;
}

}  // namespace

void add_leader_follower(ModelRegistry& registry)
{
  std::vector<ParamSpec> params = {kWriteConcern.spec(), kReadFrom.spec(), kReadConcern.spec()};
  for (ParamSpec& p : failover_params())
    params.push_back(std::move(p));
  for (ParamSpec& p : client_driver_params())
    params.push_back(std::move(p));
  params.push_back(kFailureDetector.spec());  // refused unless oracle: elections detect failures

  registry.add({
      "leader-follower",
      "MongoDB replica sets, one per shard",
      std::move(params),
      {},
      [](const ModelContext& context) -> std::unique_ptr<Model> {
        require_plain_rf(context);
        const int nodes = static_cast<int>(context.cluster.nodes().size());
        return std::make_unique<LeaderBasedModel>(context, leader_follower_placement(nodes, context.config.rf),
                                                  parse_write_concern(context.params[kWriteConcern]), 1,
                                                  read_concern(context));
      },
  });
}

}  // namespace replisim
