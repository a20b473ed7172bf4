// leaderless: Cassandra and Dynamo. Any node coordinates a request; the
// replicas of a key's token range are placed on a ring of random tokens.
#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "experiments/core/models/registry.hpp"
#include "experiments/core/models/version_audit.hpp"
#include "protocols/leaderless/consistency.hpp"
#include "protocols/leaderless/coordinator_router.hpp"
#include "protocols/leaderless/leaderless.hpp"
#include "protocols/common/rng.hpp"
#include "protocols/leaderless/token_ring.hpp"

namespace replisim {

namespace {

const IntegerParam kVnodes{{
    .name = "vnodes",
    .default_value = "16",
    .help = "tokens per node on the ring (Cassandra's num_tokens)",
    .min = 1,
    .max = 4096,  // the ring holds nodes × vnodes tokens, each a unit
}};

const ChoiceParam kStrategy{{
    .name = "strategy",
    .default_value = "simple",
    .help = "replica placement: simple (next rf distinct nodes clockwise) or network-topology (rf per zone)",
    .choices = {"simple", "network-topology"},
}};

const ChoiceParam kCoordinator{{
    .name = "coordinator",
    .default_value = "random",
    .help = "coordinator per operation: random (any live node), token-aware (a live replica of the key) or "
            "local (a live node of the client's zone)",
    .choices = {"random", "token-aware", "local"},
}};

// Text, not a choice: any case, as Cassandra takes it.
const TextParam kConsistency{{
    .name = "consistency",
    .default_value = "ONE",
    .help = "write consistency level: ONE, TWO, THREE, QUORUM, LOCAL_QUORUM, EACH_QUORUM or ALL",
    .validate = [](const std::string& text) { parse_consistency(text); },
}};

const TextParam kReadConsistency{{
    .name = "read-consistency",
    .default_value = "ONE",
    .help = "read consistency level, as --consistency",
    .validate = [](const std::string& text) { parse_consistency(text); },
}};

const FlagParam kReadRepair{{
    .name = "read-repair",
    .help = "after answering a read, push the newest version to replicas that answered older",
}};

const FlagParam kHintedHandoff{{
    .name = "hinted-handoff",
    .help = "a coordinator keeps a hint for each replica that is down and replays it when the replica returns "
            "(hints do not count toward the consistency level)",
}};

const DurationParam kMaxHintWindow{{
    .name = "max-hint-window",
    .default_value = "3h",
    .help = "with --hinted-handoff: no hints for a replica down longer than this (Cassandra's max_hint_window, 3h)",
    .min = 0,
    .max = 86'400 * 30,
}};

constexpr std::uint64_t kRingStream = (1u << 20) + 1;  // past every client's stream
constexpr long long kMaxTokens = 1'000'000;  // ring tokens, each a unit: ~220 bytes a token

class LeaderlessModel final : public Model {
public:
  LeaderlessModel(const ModelContext& context, Placement placement)
      : Model(context.config.rf), placement_(std::move(placement)), membership_(context.membership),
        cluster_(context.cluster), zones_(context.zones),
        config_{parse_consistency(context.params[kConsistency]),
                parse_consistency(context.params[kReadConsistency]), context.params[kReadRepair],
                context.config.timeout_s, context.params[kHintedHandoff], context.params[kMaxHintWindow]},
        choice_(parse_coordinator_choice(context.params[kCoordinator])),
        nodes_(static_cast<std::size_t>(placement_.node_count()), nullptr),
        audit_(context.config.faults)
  {
    require_achievable("--consistency", config_.write_level, context.config);
    require_achievable("--read-consistency", config_.read_level, context.config);
  }

  // A level that needs more replicas than a unit has in every zone a client
  // could be in (THREE with rf 2) fails every request as Unavailable: refused.
  static void require_achievable(const char* flag, Consistency level, const ModelSettings& c)
  {
    std::vector<int> per_zone;
    for (const auto& [zone, rf] : c.rf_per_zone)
      per_zone.push_back(rf);
    if (per_zone.empty())
      per_zone.push_back(c.rf);
    for (int z = 0; z < static_cast<int>(per_zone.size()); ++z)
      if (QuorumRule(level, per_zone, z).achievable(per_zone))
        return;
    throw std::invalid_argument(fmt::format("{}: {} can never be met with --rf {}: every request would fail as "
                                            "Unavailable",
                                            flag, to_string(level),
                                            c.rf_per_zone.empty() ? std::to_string(c.rf) : "per zone as given"));
  }

  const Placement& placement() const override { return placement_; }
  std::unique_ptr<NodeMachine> make_node(NodeId node) override
  {
    auto machine = std::make_unique<LeaderlessNode>(node, placement_, membership_, config_);
    nodes_.at(static_cast<std::size_t>(node)) = machine.get();
    return machine;
  }
  std::unique_ptr<Router> make_router(ClientId client) override
  {
    const auto zone = std::find(zones_.begin(), zones_.end(), cluster_.host_of_client(client).zone);
    return std::make_unique<CoordinatorRouter>(placement_, membership_, choice_, static_cast<int>(zone - zones_.begin()));
  }
  // The first replica of a range is its primary; no unit has a leader
  // (coordinators lead requests, not units).
  UnitRoles roles() const override
  {
    UnitRoles r;
    for (NodeId p : placement_.primaries()) {
      r.primaries.push_back({p});
      r.leaders.emplace_back();
    }
    return r;
  }
  SummaryRow results() const override { return {{"quorum_overlap", to_string(overlap())}}; }
  void on_completion(const Completion& op) override
  {
    audit_.completed(op);
  }
  // Under faults: acknowledged writes whose key no replica of the range holds
  // at that version or newer (data is durable: down replicas count).
  std::optional<std::uint64_t> acked_writes_lost() const override
  {
    return audit_.lost([this](UnitId unit, Key key) {
      Version newest = 0;
      for (NodeId n : placement_.replicas(unit))
        newest = std::max(newest, nodes_[static_cast<std::size_t>(n)]->version_of(key));
      return newest;
    });
  }

private:
  // Whether reads meet acknowledged writes, over every range: a range that
  // can miss decides for the run.
  QuorumOverlap overlap() const
  {
    QuorumOverlap worst = QuorumOverlap::unknown;
    const auto rank = [](QuorumOverlap o) { return o == QuorumOverlap::unknown ? 0 : o == QuorumOverlap::always ? 1
                                                                                 : o == QuorumOverlap::local  ? 2
                                                                                                              : 3; };
    for (UnitId u = 0; u < placement_.unit_count(); ++u) {
      std::vector<int> per_zone(static_cast<std::size_t>(membership_.zone_count), 0);
      for (NodeId n : placement_.replicas(u))
        ++per_zone[static_cast<std::size_t>(membership_.zone[n])];
      const QuorumOverlap o = quorum_overlap(config_.write_level, config_.read_level, per_zone);
      if (rank(o) > rank(worst))
        worst = o;
    }
    return worst;
  }

  Placement placement_;
  const Membership& membership_;
  const Cluster& cluster_;
  const std::vector<std::string>& zones_;
  LeaderlessConfig config_;
  CoordinatorChoice choice_;
  std::vector<const LeaderlessNode*> nodes_;
  VersionAudit audit_;
};

Placement ring_placement(const ModelContext& context)
{
  const ModelSettings& c = context.config;
  const int nodes = static_cast<int>(context.cluster.nodes().size());
  const long long vnodes = context.params[kVnodes];
  if (nodes * vnodes > kMaxTokens)
    throw std::invalid_argument(fmt::format("--vnodes: {} nodes × {} vnodes is more than {} tokens (each a unit of the "
                                            "placement)",
                                            nodes, vnodes, kMaxTokens));
  const auto ring = random_tokens(nodes, static_cast<int>(vnodes),
                                  derive_seed(c.seed, kRingStream));
  if (context.params[kStrategy] == "simple") {
    if (!c.rf_per_zone.empty())
      throw std::invalid_argument("--rf: an rf per zone needs --model leaderless --strategy network-topology");
    if (c.rf > nodes)
      throw std::invalid_argument(fmt::format("--rf: {} is larger than the node count ({})", c.rf, nodes));
    return simple_strategy(ring, nodes, c.rf);
  }
  const auto& names = context.zones;
  std::vector<int> rf_per_zone(names.size(), c.rf_per_zone.empty() ? c.rf : 0);
  for (const auto& [name, rf] : c.rf_per_zone) {
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end())
      throw std::invalid_argument(fmt::format("--rf: no zone '{}' (zones: {})", name, fmt::join(names, ", ")));
    rf_per_zone[static_cast<std::size_t>(it - names.begin())] = rf;
  }
  return network_topology_strategy(ring, context.membership.zone, rf_per_zone);
}

}  // namespace

void add_leaderless(ModelRegistry& registry)
{
  registry.add({"leaderless",
                "Cassandra, Dynamo",
                {kVnodes.spec(), kStrategy.spec(), kCoordinator.spec(), kConsistency.spec(), kReadConsistency.spec(),
                 kReadRepair.spec(), kHintedHandoff.spec(), kMaxHintWindow.spec()},
                {"quorum_overlap"},
                [](const ModelContext& context) -> std::unique_ptr<Model> {
                  return std::make_unique<LeaderlessModel>(context, ring_placement(context));
                }});
}

}  // namespace replisim
