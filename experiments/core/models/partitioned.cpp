// partitioned: Kafka's partitions (and Elasticsearch's primary shards), whose
// leaders are spread over every broker by Kafka's replica assignment.
#include <fmt/format.h>

#include "experiments/core/models/failover.hpp"
#include "experiments/core/models/leader_based.hpp"
#include "experiments/core/models/registry.hpp"
#include "protocols/kafka/kafka_assignment.hpp"
#include "protocols/common/rng.hpp"

namespace replisim {

namespace {

constexpr std::uint64_t kStartIndexStream = 1u << 20;  // past every client's stream

class PartitionedModel final : public LeaderBasedModel {
public:
  PartitionedModel(const ModelContext& context, Placement placement, WriteConcern concern, int min_insync,
                   int start_index)
      : LeaderBasedModel(context, std::move(placement), concern, min_insync), start_index_(start_index)
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
  if (context.params.given("start-index")) {
    const long long given = context.params.integer("start-index");
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
  const int units = p.given("units") ? static_cast<int>(p.integer("units")) : nodes;
  const int start = start_index(context, nodes);
  const WriteConcern concern = p.text("acks") == "1" ? WriteConcern::one : WriteConcern::all;
  return std::make_unique<PartitionedModel>(context, kafka_placement(nodes, units, context.config.rf, start, racks),
                                            concern, static_cast<int>(p.integer("min-insync")), start);
}

}  // namespace

void add_partitioned(ModelRegistry& registry)
{
  ParamSpec units;
  units.name = "units";
  units.type = ParamType::integer;
  units.min = 1;
  units.max = 100'000;  // a placement and a log per unit on each replica: ~3 KB a unit (1,000,000 took 2.7 GB)
  units.help = "partitions (default: one per node)";

  ParamSpec acks;
  acks.name = "acks";
  acks.type = ParamType::choice;
  acks.default_value = "all";
  acks.choices = {"1", "all"};
  acks.help = "1 (the leader alone) or all (every in-sync replica), Kafka's producer acks";

  ParamSpec min_insync;
  min_insync.name = "min-insync";
  min_insync.type = ParamType::integer;
  min_insync.default_value = "1";
  min_insync.min = 1;
  min_insync.max = 1'000'000;
  min_insync.help = "with --acks all, refuse writes at once when fewer replicas are in sync (min.insync.replicas)";

  ParamSpec start;
  start.name = "start-index";
  start.type = ParamType::integer;
  start.min = 0;
  start.max = 1'000'000;
  start.help = "Kafka's start index and replica shift, in [0, nodes) (default: drawn from --seed)";

  std::vector<ParamSpec> params = {units, acks, min_insync, start, read_from_param()};
  for (ParamSpec& p : failover_params())
    params.push_back(std::move(p));

  registry.add({"partitioned",
                "Kafka partitions, Elasticsearch primary shards",
                std::move(params),
                {},
                deploy});
}

}  // namespace replisim
