// multi-leader: one writable leader per datacenter (or several), each
// accepting writes to the whole key space and replicating asynchronously to
// the others; concurrent writes conflict and are resolved last-writer-wins.
#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "experiments/core/delay_grammar.hpp"
#include "experiments/core/models/failure_detector.hpp"
#include "experiments/core/models/multi_leader_convergence.hpp"
#include "experiments/core/models/registry.hpp"
#include "experiments/core/op_metrics.hpp"
#include "protocols/multi_leader/multi_leader.hpp"
#include "protocols/common/rng.hpp"
#include "protocols/common/write_concern.hpp"

namespace replisim {

namespace {

const IntegerParam kLeadersPerZone{{
    .name = "leaders-per-zone",
    .default_value = "1",
    .help = "leaders in each zone (--leaders on a generated star, which is one zone)",
    .min = 1,
    .max = 1'000,
    .aliases = {"leaders"},
}};

const ChoiceParam kLeaderChoice{{
    .name = "leader-choice",
    .default_value = "nearest",
    .help = "clients write to the leader nearest by route latency, or a random one",
    .choices = {"nearest", "random"},
}};

const DurationParam kReplicationInterval{{
    .name = "replication-interval",
    .default_value = "0ms",
    .help = "ship writes to the other leaders in batches this often; 0 ships each write at once",
    .min = 0,
    .max = 3600,
}};

const ChoiceParam kWriteConcern{{
    .name = "write-concern",
    .default_value = "majority",
    .help = "replicas holding a write before it is acknowledged, counted among the leader and its own followers",
    .choices = {"1", "majority", "all"},
}};

const TextParam kClockSkew{{
    .name = "clock-skew",
    .default_value = "",
    .help = "each leader's clock is this far ahead of true time (negative: behind), drawn once per leader from a "
            "signed law: const:D, uniform:LO:HI or normal:MEAN:SD (e.g. uniform:-5ms:5ms); it stamps the leader's "
            "writes, so it decides which concurrent write last-writer-wins keeps. None: perfect clocks",
    .validate = [](const std::string& text) { parse_clock_skew(text, ""); },
}};

// Leaders in all zones: a write costs a message, and memory for its
// convergence, at every other leader (1,000 leaders took 4 GB in 8 s).
constexpr std::size_t kMaxLeaders = 100;

constexpr std::uint64_t kClockStream = (1u << 20) + 2;  // past every client's stream, apart from the ring's

std::string number(double x) { return std::isnan(x) ? "" : fmt::format("{:.6f}", x); }

// The first `leaders_per_zone` nodes of each zone lead; the zone's other
// nodes follow them in turn.
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
    const auto k = static_cast<std::size_t>(leaders_per_zone);
    for (std::size_t i = k; i < zone.size(); ++i)
      g.followers_of[first + (i - k) % k].push_back(zone[i]);
  }
  if (g.leaders.size() > kMaxLeaders)
    throw std::invalid_argument(fmt::format("--leaders-per-zone: {} leaders in all is more than {} (every write goes "
                                            "to every other leader, and its convergence is followed on each)",
                                            g.leaders.size(), kMaxLeaders));
  return g;
}

// Every node holds the one unit, the whole key space.
Placement whole_key_space(int nodes)
{
  std::vector<NodeId> all(static_cast<std::size_t>(nodes));
  std::iota(all.begin(), all.end(), 0);
  return Placement(nodes, {all});
}

class MultiLeaderModel final : public Model {
public:
  explicit MultiLeaderModel(const ModelContext& context)
      : Model(context.config.rf), cluster_(context.cluster), membership_(context.membership),
        placement_(whole_key_space(static_cast<int>(context.cluster.nodes().size()))),
        groups_(leader_groups(context.membership, static_cast<int>(context.params[kLeadersPerZone]))),
        config_{parse_write_concern(context.params[kWriteConcern]), context.params[kReplicationInterval]},
        faults_(context.config.faults),
        random_leader_(context.params[kLeaderChoice] == "random"),
        nodes_(static_cast<std::size_t>(placement_.node_count()), nullptr)
  {
    // Under faults a sync can be lost on its way: leaders acknowledge them,
    // and resend what is unacknowledged until the other leaders have it.
    config_.acked_sync = faults_;
    if (context.params.given(kClockSkew)) {
      // One offset per leader, in leader order, from the run's seed.
      const ClockSkew skew = parse_clock_skew(context.params[kClockSkew]);
      Rng rng(derive_seed(context.config.seed, kClockStream));
      for (std::size_t l = 0; l < groups_.leaders.size(); ++l)
        config_.clock_offset.push_back(skew.sample(rng));
    }
    if (detector_of(context.params, context.config, DetectorKind::timeout, "multi-leader") == DetectorKind::timeout)
      peers_.emplace(membership_, TimeoutDetectorConfig{.timeout = context.params[kDetectorTimeout]});
  }

  const Placement& placement() const override { return placement_; }
  std::unique_ptr<NodeMachine> make_node(NodeId node) override
  {
    auto machine = std::make_unique<MultiLeaderNode>(node, groups_, config_, &membership_, peers_ ? &*peers_ : nullptr);
    nodes_.at(static_cast<std::size_t>(node)) = machine.get();
    return machine;
  }
  std::unique_ptr<Router> make_router(ClientId client) override
  {
    std::vector<double> latency;
    for (NodeId n = 0; n < placement_.node_count(); ++n)
      latency.push_back(cluster_.latency_client_to_node(client, n));
    // Clients learn a leader is down as the leaders do.
    return std::make_unique<LeaderRouter>(groups_, random_leader_, latency, peers_ ? &peers_->view() : &membership_);
  }
  // Every leader is primary and leader of the whole key space.
  UnitRoles roles() const override { return {{groups_.leaders}, {groups_.leaders}}; }
  // The key space is copied to every node: rf does not apply.
  std::string replication() const override { return fmt::format("{} leaders", groups_.leaders.size()); }
  std::vector<NodeId> follows() const override
  {
    std::vector<NodeId> leader(nodes_.size());
    for (std::size_t n = 0; n < nodes_.size(); ++n)
      leader[n] = groups_.leader_of(static_cast<NodeId>(n));
    return leader;
  }

  void on_completion(const Completion& op) override
  {
    if (op.kind == OpKind::write && op.outcome == Outcome::ok)
      acked_at_.emplace(std::pair{op.key, op.version}, op.end);
  }
  // Asynchronous replication outlives the clients: run until every live
  // leader has shipped everything and (under faults) every other live leader
  // has acknowledged it, then check they agree. A leader down at the end
  // catches up when it returns, after the run.
  std::function<bool()> quiescent() const override
  {
    return [this] {
      for (std::size_t n = 0; n < nodes_.size(); ++n) {
        if (!membership_.alive[n])
          continue;
        if (nodes_[n]->has_unsent_writes())
          return false;
        for (std::size_t l = 0; faults_ && l < groups_.leaders.size(); ++l)
          if (membership_.alive[groups_.leaders[l]] && !nodes_[n]->unacknowledged(static_cast<int>(l)).empty())
            return false;
      }
      return true;
    };
  }
  void after_run() override
  {
    std::vector<const MultiLeaderNode*> nodes(nodes_.begin(), nodes_.end());
    convergence_ = analyse_convergence(groups_, nodes, acked_at_, membership_.alive);
  }
  SummaryRow results() const override
  {
    SummaryRow row{{"conflicts", fmt::format("{}", convergence_.conflicts)},
            {"lost_updates", fmt::format("{}", convergence_.lost_updates)},
            {"convergence_p50_ms", number(percentile(convergence_.lag_ms, 50))},
            {"convergence_p99_ms", number(percentile(convergence_.lag_ms, 99))},
            {"convergence_min_ms", number(percentile(convergence_.lag_ms, 0))},
            {"convergence_max_ms", number(percentile(convergence_.lag_ms, 100))}};
    for (auto& column : detection_results(peers_ ? &*peers_ : nullptr))
      row.push_back(std::move(column));
    return row;
  }

private:
  const Cluster& cluster_;
  const Membership& membership_;
  Placement placement_;
  LeaderGroups groups_;
  MultiLeaderConfig config_;
  bool faults_;  // a fault schedule was given
  std::optional<TimeoutDetector> peers_;  // --failure-detector timeout: the leaders' common view
  bool random_leader_;
  std::vector<MultiLeaderNode*> nodes_;
  std::map<std::pair<Key, Version>, Time> acked_at_;  // acknowledged writes by key and stamp
  Convergence convergence_;
};

}  // namespace

void add_multi_leader(ModelRegistry& registry)
{
  registry.add({"multi-leader",
                "one writable leader per datacenter, replicating asynchronously",
                {kLeadersPerZone.spec(), kLeaderChoice.spec(), kReplicationInterval.spec(), kWriteConcern.spec(),
                 kClockSkew.spec(), kFailureDetector.spec(), kPhiConvictThreshold.spec(), kDetectorTimeout.spec()},
                {"conflicts", "lost_updates", "convergence_p50_ms", "convergence_p99_ms", "convergence_min_ms",
                 "convergence_max_ms", "detection_ms_p50", "detection_ms_max"},
                [](const ModelContext& context) -> std::unique_ptr<Model> {
                  return std::make_unique<MultiLeaderModel>(context);
                }});
}

}  // namespace replisim
