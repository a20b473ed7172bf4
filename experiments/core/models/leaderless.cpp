// leaderless: Cassandra and Dynamo. Any node coordinates a request; the
// replicas of a key's token range are placed on a ring of random tokens.
#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "experiments/core/delay_grammar.hpp"
#include "experiments/core/models/failure_detector.hpp"
#include "experiments/core/models/lww_audit.hpp"
#include "experiments/core/models/registry.hpp"
#include "experiments/core/models/version_audit.hpp"
#include "protocols/leaderless/consistency.hpp"
#include "protocols/leaderless/coordinator_router.hpp"
#include "protocols/leaderless/leaderless.hpp"
#include "protocols/leaderless/snitch.hpp"
#include "protocols/leaderless/speculative_retry.hpp"
#include "protocols/common/rng.hpp"
#include "protocols/leaderless/token_ring.hpp"

namespace replisim {

namespace {

// Seed streams, past every client's.
constexpr std::uint64_t kRingStream = (1u << 20) + 1;
constexpr std::uint64_t kClockStream = (1u << 20) + 2;
constexpr std::uint64_t kGossipStream = (1u << 20) + 3;

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
    .help = "coordinator per operation: random (any live node), token-aware (a live replica of the key: the "
            "drivers' default, TokenAwarePolicy) or local (a live node of the client's zone)",
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

const ChoiceParam kReadPath{{
    .name = "read-path",
    .default_value = "cassandra",
    .help = "cassandra (a data request to the best-ranked replica, digests to blockFor - 1 more, speculative retry, "
            "blocking read repair on a digest mismatch) or all (every live replica asked, the first blockFor "
            "answers taken: the WARS model of PBS)",
    .choices = {"cassandra", "all"},
}};

const ChoiceParam kSnitch{{
    .name = "snitch",
    .default_value = "dynamic",
    .help = "cassandra read path: how a coordinator ranks replicas: dynamic (Cassandra's DynamicEndpointSnitch: "
            "recent latency, 100 ms updates, 600 s resets, badness threshold 1.0) or simple (itself, its zone, "
            "then ring order)",
    .choices = {"dynamic", "simple"},
}};

const TextParam kSpeculativeRetry{{
    .name = "speculative-retry",
    .default_value = "99p",
    .help = "cassandra read path: ask one more replica when a read's replicas are slow: NONE, ALWAYS, Nms or Pp "
            "(the P-th percentile of the coordinator's recent read latencies; Cassandra's default 99p)",
    .validate = [](const std::string& text) { parse_speculative_retry(text); },
}};

const ChoiceParam kReadRepairPolicy{{
    .name = "read-repair-policy",
    .default_value = "blocking",
    .help = "cassandra read path: on a digest mismatch, blocking (Cassandra 4.0's default: write the newest "
            "version to the contacted replicas that answered older before answering) or none",
    .choices = {"blocking", "none"},
}};

const FlagParam kReadRepair{{
    .name = "read-repair",
    .help = "--read-path all: after answering a read, push the newest version to replicas that answered older",
}};

const DurationParam kWriteRequestTimeout{{
    .name = "write-request-timeout",
    .default_value = "2s",
    .help = "coordinator: a write not acknowledged by enough replicas in this time fails (WriteTimeout) and the "
            "silent replicas get hints (Cassandra's write_request_timeout)",
    .min = 1e-6,
    .max = 86'400,
}};

const DurationParam kReadRequestTimeout{{
    .name = "read-request-timeout",
    .default_value = "5s",
    .help = "coordinator: a read not answered in this time fails (ReadTimeout; Cassandra's read_request_timeout)",
    .min = 1e-6,
    .max = 86'400,
}};

const ChoiceParam kHints{{
    .name = "hints",
    .default_value = "on",
    .help = "hinted handoff: coordinators keep a hint for each replica that is down or did not acknowledge a write "
            "in time and replay it when the replica is up (Cassandra's hinted_handoff_enabled, true)",
    .choices = {"on", "off"},
}};

const FlagParam kHintedHandoff{{
    .name = "hinted-handoff",
    .help = "hints on (the default since 0.3.0; --hints off turns them off)",
}};

const DurationParam kHintWindow{{
    .name = "hint-window",
    .default_value = "3h",
    .help = "no new hints for a replica down longer than this; hints already written are replayed whenever it "
            "returns (Cassandra's max_hint_window, 3h)",
    .min = 0,
    .max = 86'400 * 30,
}};

// Before 0.3.0 a replica back after the window lost every hint written for
// it; that meaning is gone, and the old spelling is refused (see the model).
const DurationParam kMaxHintWindow{{
    .name = "max-hint-window",
    .default_value = "",
    .help = "refused since 0.3.0: use --hint-window (hints written are now replayed whatever the outage's length)",
    .min = 0,
    .max = 86'400 * 30,
}};

const DurationParam kRepairInterval{{
    .name = "repair-interval",
    .default_value = "0s",
    .help = "anti-entropy repair: every node repairs the token ranges it is the primary replica of this often, range "
            "by range (nodetool repair -full -pr: replicas build Merkle trees, the differing rows are streamed both "
            "ways); 0: never",
    .min = 0,
    .max = 86'400 * 30,
}};

const TextParam kClockSkew{{
    .name = "clock-skew",
    .default_value = "",
    .help = "clients stamp their writes with their own clocks (Cassandra drivers' client-side timestamps), each "
            "this far ahead of true time (negative: behind), drawn once per client from a signed law: const:D, "
            "uniform:LO:HI or normal:MEAN:SD (e.g. normal:0:2ms). None: coordinators stamp writes with perfect clocks",
    .validate = [](const std::string& text) { parse_clock_skew(text, ""); },
}};

LeaderlessConfig leaderless_config(const ModelParams& p, const ModelSettings& settings)
{
  if (p.given(kMaxHintWindow))
    throw std::invalid_argument("--max-hint-window: replaced by --hint-window in 0.3.0 (hints written during the "
                                "window are now replayed when the replica returns, whatever the outage's length)");
  LeaderlessConfig c;
  c.write_level = parse_consistency(p[kConsistency]);
  c.read_level = parse_consistency(p[kReadConsistency]);
  c.read_path = p[kReadPath] == "all" ? ReadPath::all : ReadPath::cassandra;
  if (c.read_path == ReadPath::all) {
    if (p.given(kReadRepairPolicy))
      throw std::invalid_argument("--read-repair-policy: applies to --read-path cassandra; with --read-path all, "
                                  "--read-repair repairs asynchronously");
    c.read_repair = p[kReadRepair] ? ReadRepair::asynchronous : ReadRepair::none;
  } else {
    if (p[kReadRepair])
      throw std::invalid_argument("--read-repair: asynchronous repair of every replica is --read-path all's; "
                                  "Cassandra's read path (the default) repairs with --read-repair-policy blocking "
                                  "(the default) or none");
    c.read_repair = p[kReadRepairPolicy] == "none" ? ReadRepair::none : ReadRepair::blocking;
  }
  c.snitch.kind = parse_snitch(p[kSnitch]);
  c.speculative_retry = parse_speculative_retry(p[kSpeculativeRetry]);
  c.write_timeout = p[kWriteRequestTimeout];
  c.read_timeout = p[kReadRequestTimeout];
  if (p[kHintedHandoff] && p[kHints] == "off")
    throw std::invalid_argument("--hinted-handoff: contradicts --hints off");
  c.hinted_handoff = p[kHints] == "on";
  c.max_hint_window = p[kHintWindow];
  c.repair_interval = p[kRepairInterval];
  // A repair compares every range's trees: one more often than a second
  // would swamp a run with repair messages (real repairs run hours apart).
  if (c.repair_interval > 0 && c.repair_interval < 1.0)
    throw std::invalid_argument(fmt::format("--repair-interval: '{}' is below 1s (0 turns repair off)",
                                            p.column_text(kRepairInterval.spec())));
  c.gossip = detector_of(p, settings, DetectorKind::gossip, "leaderless") == DetectorKind::gossip;
  c.gossip_config.phi.convict_threshold = p[kPhiConvictThreshold];
  c.gossip_seed = derive_seed(settings.seed, kGossipStream);
  return c;
}

constexpr long long kMaxTokens = 1'000'000;  // ring tokens, each a unit: ~220 bytes a token

class LeaderlessModel final : public Model {
public:
  LeaderlessModel(const ModelContext& context, Placement placement)
      : Model(context.config.rf), placement_(std::move(placement)), membership_(context.membership),
        cluster_(context.cluster), zones_(context.zones),
        config_(leaderless_config(context.params, context.config)),
        choice_(parse_coordinator_choice(context.params[kCoordinator])),
        nodes_(static_cast<std::size_t>(placement_.node_count()), nullptr),
        audit_(context.config.faults)
  {
    if (context.params.given(kClockSkew)) {
      skew_.emplace(parse_clock_skew(context.params[kClockSkew]));
      clock_seed_ = derive_seed(context.config.seed, kClockStream);
    }
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
  // Each client's offset from its own stream, whatever the client count.
  std::optional<Time> client_clock_offset(ClientId client) const override
  {
    if (!skew_)
      return std::nullopt;
    Rng rng(derive_seed(clock_seed_, static_cast<std::uint64_t>(client)));
    return skew_->sample(rng);
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
  SummaryRow results() const override
  {
    LeaderlessStats sum;
    for (const LeaderlessNode* n : nodes_) {
      const LeaderlessStats& s = n->stats();
      sum.reads += s.reads;
      sum.writes += s.writes;
      sum.replica_reads += s.replica_reads;
      sum.read_messages += s.read_messages;
      sum.write_messages += s.write_messages;
      sum.speculative_retries += s.speculative_retries;
      sum.read_repairs += s.read_repairs;
      sum.hints_written += s.hints_written;
      sum.hints_replayed += s.hints_replayed;
      sum.repair_messages += s.repair_messages;
      sum.repaired_keys += s.repaired_keys;
      sum.gossip_messages += s.gossip_messages;
    }
    std::vector<Time> detections;  // every observer's time to convict every crashed node
    for (const LeaderlessNode* n : nodes_)
      if (const Gossiper* g = n->gossiper(); g != nullptr)
        detections.insert(detections.end(), g->detections().begin(), g->detections().end());
    const auto per = [](std::uint64_t what, std::uint64_t ops) {
      return ops == 0 ? std::string() : fmt::format("{:.6f}", static_cast<double>(what) / static_cast<double>(ops));
    };
    SummaryRow row{{"quorum_overlap", to_string(overlap())},
            {"replica_reads_per_read", per(sum.replica_reads, sum.reads)},
            {"node_msgs_per_read", per(sum.read_messages, sum.reads)},
            {"node_msgs_per_write", per(sum.write_messages, sum.writes)},
            {"speculative_retries", std::to_string(sum.speculative_retries)},
            {"read_repairs", std::to_string(sum.read_repairs)},
            {"hints_written", std::to_string(sum.hints_written)},
            {"hints_replayed", std::to_string(sum.hints_replayed)},
            {"repair_messages", std::to_string(sum.repair_messages)},
            {"repaired_keys", std::to_string(sum.repaired_keys)},
            {"lost_updates", std::to_string(lost_updates_)},
            {"gossip_messages", config_.gossip ? std::to_string(sum.gossip_messages) : std::string()}};
    for (auto& column : detection_columns(std::move(detections)))
      row.push_back(std::move(column));
    return row;
  }
  void on_completion(const Completion& op) override
  {
    audit_.completed(op);
    lww_.completed(op);
  }
  // Last-writer-wins' losses (lww_audit.hpp), against the version each key
  // converges to: the highest any replica of its range holds, down or up
  // (data is on disk), or any coordinator holds a hint of for one of them
  // (replayed when the replica is back): what a read at ALL returns once
  // hints are replayed, with or without repair.
  void after_run() override
  {
    lost_updates_ = lww_.take_lost([this](Key key) {
      Version newest = 0;
      for (NodeId n : placement_.replicas(placement_.unit_of(key))) {
        newest = std::max(newest, nodes_[static_cast<std::size_t>(n)]->version_of(key));
        for (const LeaderlessNode* coordinator : nodes_) {
          const auto& hints = coordinator->hints_for(n);
          if (const auto hint = hints.find(key); hint != hints.end())
            newest = std::max(newest, hint->second);
        }
      }
      return newest;
    });
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
  LwwAudit lww_;  // every acknowledged write, 48 bytes each, past a buffer in temporary files
  std::uint64_t lost_updates_ = 0;
  std::optional<ClockSkew> skew_;  // --clock-skew: clients stamp writes
  std::uint64_t clock_seed_ = 0;
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
                 kReadPath.spec(), kSnitch.spec(), kSpeculativeRetry.spec(), kReadRepairPolicy.spec(),
                 kReadRepair.spec(), kWriteRequestTimeout.spec(), kReadRequestTimeout.spec(), kHints.spec(),
                 kHintedHandoff.spec(), kHintWindow.spec(), kMaxHintWindow.spec(), kRepairInterval.spec(),
                 kClockSkew.spec(), kFailureDetector.spec(), kPhiConvictThreshold.spec(), kDetectorTimeout.spec()},
                {"quorum_overlap", "replica_reads_per_read", "node_msgs_per_read", "node_msgs_per_write",
                 "speculative_retries", "read_repairs", "hints_written", "hints_replayed", "repair_messages",
                 "repaired_keys", "lost_updates", "gossip_messages", "detection_ms_p50", "detection_ms_max"},
                [](const ModelContext& context) -> std::unique_ptr<Model> {
                  return std::make_unique<LeaderlessModel>(context, ring_placement(context));
                }});
}

}  // namespace replisim
