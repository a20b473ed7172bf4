// partitioned: Kafka's partitions (and Elasticsearch's primary shards), whose
// leaders are spread over every broker by Kafka's replica assignment.
#include <fmt/format.h>

#include "experiments/core/models/client_driver.hpp"
#include "experiments/core/models/failure_detector.hpp"
#include "experiments/core/models/failover.hpp"
#include "experiments/core/models/leader_based.hpp"
#include "experiments/core/models/registry.hpp"
#include "protocols/kafka/kafka_assignment.hpp"
#include "protocols/common/rng.hpp"

namespace replisim {

namespace {

const IntegerParam kUnits{{
    .name = "units",
    .help = "partitions (default: one per node)",
    .min = 1,
    .max = 100'000,  // a placement and a log per unit on each replica: ~3 KB a unit (1,000,000 took 2.7 GB)
}};

const ChoiceParam kAcks{{
    .name = "acks",
    .default_value = "all",
    .help = "1 (the leader alone) or all (every in-sync replica), Kafka's producer acks",
    .choices = {"1", "all"},
}};

const IntegerParam kMinInsync{{
    .name = "min-insync",
    .default_value = "1",
    .help = "with --acks all, refuse writes at once when fewer replicas are in sync (min.insync.replicas)",
    .min = 1,
    .max = 1'000'000,
}};

const IntegerParam kStartIndex{{
    .name = "start-index",
    .help = "Kafka's start index and replica shift, in [0, nodes) (default: drawn from --seed)",
    .min = 0,
    .max = 1'000'000,
}};

constexpr std::uint64_t kStartIndexStream = 1u << 20;  // past every client's stream

class PartitionedModel final : public LeaderBasedModel {
public:
  PartitionedModel(const ModelContext& context, Placement placement, WriteConcern concern, int min_insync,
                   int start_index)
      : LeaderBasedModel(context, std::move(placement), concern, min_insync, ReadConcern::high_watermark),
        start_index_(start_index)
  {
  }
  // The start index used, drawn or given.
  SummaryRow results() const override { return {{"start_index", fmt::format("{}", start_index_)}}; }

private:
  int start_index_;
};

// Kafka draws the start index at random when none is given; replisim draws
// it from the run's seed.
int start_index(const ModelContext& context, int nodes)
{
  if (context.params.given(kStartIndex)) {
    const long long given = context.params[kStartIndex];
    if (given >= nodes)
      throw std::invalid_argument(fmt::format("--start-index: {} is outside [0, {})", given, nodes));
    return static_cast<int>(given);
  }
  return static_cast<int>(derive_seed(context.config.seed, kStartIndexStream) % static_cast<std::uint64_t>(nodes));
}

std::unique_ptr<Model> deploy(const ModelContext& context)
{
  require_plain_rf(context);
  const ModelParams& p = context.params;
  const int nodes = static_cast<int>(context.cluster.nodes().size());
  // The zone is the rack: rack-aware assignment as soon as nodes span two zones.
  std::vector<std::string> racks;
  for (const HostInfo& h : context.cluster.nodes())
    racks.push_back(h.zone);
  const int units = p.given(kUnits) ? static_cast<int>(p[kUnits]) : nodes;
  const int start = start_index(context, nodes);
  const WriteConcern concern = p[kAcks] == "1" ? WriteConcern::one : WriteConcern::all;
  // Kafka refuses every acks=all write with NotEnoughReplicas when
  // min.insync.replicas exceeds the replicas a partition has: refused here.
  if (concern == WriteConcern::all && p[kMinInsync] > context.config.rf)
    throw std::invalid_argument(fmt::format("--min-insync: {} is more than --rf {}: every acks=all write would be "
                                            "refused (Kafka's NotEnoughReplicas)",
                                            p[kMinInsync], context.config.rf));
  return std::make_unique<PartitionedModel>(context, kafka_placement(nodes, units, context.config.rf, start, racks),
                                            concern, static_cast<int>(p[kMinInsync]), start);
}

}  // namespace

void add_partitioned(ModelRegistry& registry)
{
  std::vector<ParamSpec> params = {kUnits.spec(), kAcks.spec(), kMinInsync.spec(), kStartIndex.spec(), kReadFrom.spec()};
  for (ParamSpec& p : failover_params())
    params.push_back(std::move(p));
  for (ParamSpec& p : client_driver_params())
    params.push_back(std::move(p));
  params.push_back(kFailureDetector.spec());  // refused unless oracle: elections detect failures

  registry.add({"partitioned",
                "Kafka partitions, Elasticsearch primary shards",
                std::move(params),
                {},
                deploy});
}

}  // namespace replisim
