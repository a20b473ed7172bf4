#include "experiments/core/models/leader_based.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "experiments/core/models/client_driver.hpp"
#include "experiments/core/models/failure_detector.hpp"
#include "experiments/core/models/failover.hpp"
#include "protocols/leader_follower/leader_follower.hpp"

namespace replisim {

const ChoiceParam kReadFrom{{
    .name = "read-from",
    .default_value = "primary",
    .help = "where reads go: primary (or leader), secondary (or follower: a random non-leader replica of the unit) or "
            "nearest (lowest route latency from the client)",
    .choices = {"primary", "leader", "secondary", "follower", "nearest"},
}};

void require_plain_rf(const ModelContext& context)
{
  const ModelSettings& c = context.config;
  if (!c.rf_per_zone.empty())
    throw std::invalid_argument("--rf: an rf per zone needs --model leaderless --strategy network-topology");
  const int nodes = static_cast<int>(context.cluster.nodes().size());
  if (c.rf > nodes)
    throw std::invalid_argument(fmt::format("--rf: {} is larger than the node count ({})", c.rf, nodes));
}

namespace {

// Whether an acknowledged write is committed, so that losing it violates an
// invariant: majority always; all under elections (it waits for the commit);
// under Kafka's controller, acks=all waits for the in-sync replicas, which
// may have shrunk to the leader alone unless min.insync.replicas >= 2.
bool committed_acks(WriteConcern concern, int min_insync, const FailoverConfig& failover)
{
  if (concern == WriteConcern::one)
    return false;
  return concern == WriteConcern::majority || !failover.controller.enabled || min_insync >= 2;
}

}  // namespace

LeaderBasedModel::LeaderBasedModel(const ModelContext& context, Placement placement, WriteConcern concern,
                                   int min_insync, ReadConcern reads)
    : Model(context.config.rf), cluster_(context.cluster), membership_(context.membership),
      placement_(std::move(placement)), concern_(concern), min_insync_(min_insync),
      read_from_(parse_read_from(context.params[kReadFrom])), reads_(reads),
      failover_(failover_config(context.params, context.config.seed)),
      driver_(replisim::client_driver(context.params, context.config.timeout_s)),
      nodes_(static_cast<std::size_t>(placement_.node_count()), nullptr),
      audit_(placement_, nodes_, membership_, committed_acks(concern, min_insync, failover_), context.invariants)
{
  // Leader-follower and partitioned find a failed leader with their own
  // timeouts (--failover: heartbeats and elections, or Kafka's controller).
  if (const std::string& detector = context.params[kFailureDetector]; detector != "auto" && detector != "oracle")
    throw std::invalid_argument(fmt::format("--failure-detector: {} is for leaderless, chain or multi-leader; "
                                            "leader-follower and partitioned detect a failed leader by their own "
                                            "timeouts (--failover): oracle or auto only",
                                            detector));
  require_timeouts_above_round_trips();
}

// An election timeout (the longest that can be drawn) shorter than a round
// trip between a unit's leader and its replicas fires before any answer: every follower stands
// for election again and again, and none can win (Raft §5.6: "broadcastTime
// << electionTimeout"). Such a run could never elect anyone; it is refused.
void LeaderBasedModel::require_timeouts_above_round_trips() const
{
  if (!failover_.enabled || failover_.controller.enabled)
    return;
  double longest = 0;
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  for (UnitId u = 0; u < placement_.unit_count(); ++u) {
    const auto set = placement_.replicas(u);
    for (NodeId n : set)
      if (n != set.front())
        if (const double rtt = 2 * cluster_.latency_node_to_node(set.front(), n); rtt > longest) {
          longest = rtt;
          from = set.front();
          to = n;
        }
  }
  if (failover_.election_timeout_max <= longest)
    throw std::invalid_argument(fmt::format(
        "--election-timeout: the longest, {} ms, is not longer than the round trip between nodes {} and {} of a "
        "unit ({} ms): no election could ever be won",
        failover_.election_timeout_max * 1e3, from, to, longest * 1e3));
}

std::unique_ptr<NodeMachine> LeaderBasedModel::make_node(NodeId node)
{
  // Logs are compacted (bounded memory) unless failover is on: then the log
  // audit reads the units' whole logs to find acknowledged writes by op id
  // (an op's index is not known to it, and a retried op may sit at several),
  // so they are kept whole, as before compaction existed. Failover runs are
  // rate-limited and short; their memory is as it was.
  const bool compact_logs = !failover_.enabled;
  auto machine =
      std::make_unique<LeaderFollowerNode>(node, placement_, concern_, min_insync_, failover_, compact_logs, reads_);
  nodes_.at(static_cast<std::size_t>(node)) = machine.get();
  return machine;
}

std::unique_ptr<Router> LeaderBasedModel::make_router(ClientId client)
{
  std::vector<double> latency;
  if (read_from_ == ReadFrom::nearest)
    for (NodeId n = 0; n < placement_.node_count(); ++n)
      latency.push_back(cluster_.latency_client_to_node(client, n));
  auto router = std::make_unique<ReplicaRouter>(placement_, read_from_, std::move(latency));
  // Clients are made before the run starts: the nodes down now are --down's.
  if (failover_.enabled && std::find(membership_.alive.begin(), membership_.alive.end(), false) != membership_.alive.end()) {
    std::vector<bool> down;
    for (bool alive : membership_.alive)
      down.push_back(!alive);
    router->route_around_down_primaries(std::move(down), [this](UnitId unit) { return leader_now(unit); });
  }
  return router;
}

NodeId LeaderBasedModel::leader_now(UnitId unit) const
{
  NodeId leader = kNoNode;
  Term term = 0;
  for (NodeId n : placement_.replicas(unit)) {
    const LeaderFollowerNode* node = nodes_[static_cast<std::size_t>(n)];
    if (node == nullptr)
      return placement_.primary(unit);  // before the nodes exist: as placed
    if (membership_.alive[n] && node->role_of(unit) == ReplicaRole::leader && node->term_of(unit) > term) {
      leader = n;
      term = node->term_of(unit);
    }
  }
  return leader;
}

// A unit's leader is its primary: the replica that orders its writes holds
// its authoritative copy. Without failover, the primary as placed leads for
// the whole run (a crashed one included: it leads again when it returns).
UnitRoles LeaderBasedModel::roles() const
{
  UnitRoles r;
  for (UnitId u = 0; u < placement_.unit_count(); ++u) {
    const NodeId leader = failover_.enabled ? leader_now(u) : placement_.primary(u);
    r.primaries.push_back(leader == kNoNode ? std::vector<NodeId>{} : std::vector<NodeId>{leader});
    r.leaders.push_back(r.primaries.back());
  }
  return r;
}

std::optional<NodeId> LeaderBasedModel::primary_now(UnitId unit) const
{
  if (!failover_.enabled)
    return std::nullopt;
  return leader_now(unit);
}

void LeaderBasedModel::on_completion(const Completion& op)
{
  if (failover_.enabled && op.kind == OpKind::write && op.outcome == Outcome::ok)
    audit_.acknowledged(op);
}

void LeaderBasedModel::role_changed(const RoleEvent& event)
{
  if (event.kind == RoleEvent::Kind::became_leader)
    audit_.became_leader(event);
}

void LeaderBasedModel::after_run()
{
  if (failover_.enabled)
    audit_.finish(cluster_.clock());
}

std::optional<std::uint64_t> LeaderBasedModel::acked_writes_lost() const
{
  if (!failover_.enabled)
    return std::nullopt;
  return audit_.lost();
}

std::optional<std::uint64_t> LeaderBasedModel::writes_rolled_back() const
{
  if (!failover_.enabled)
    return std::nullopt;
  return audit_.rolled_back();
}

// Under elections a write commits once a majority holds it, whatever the
// write concern acknowledges: a w:1 write that a leader cut off from a
// majority takes is acknowledged and later rolled back, so such a leader
// cannot commit one. w:all needs every replica where all stay in sync
// (MongoDB), a majority where silent ones leave the in-sync set (the raft
// preset's acks=all); Kafka's acks=all the min.insync.replicas, acks=1 the
// leader alone (a fenced leader may still take such writes, all of them
// lost); a fixed leader, its write concern's count.
int LeaderBasedModel::replicas_to_commit() const
{
  const int rf = rf_;
  if (failover_.controller.enabled)
    return concern_ == WriteConcern::all ? min_insync_ : 1;
  if (!failover_.enabled)
    return concern_ == WriteConcern::one ? 1 : concern_ == WriteConcern::majority ? majority(rf) : rf;
  if (concern_ == WriteConcern::all && failover_.replica_lag_max == kNever)
    return rf;
  return majority(rf);
}

}  // namespace replisim
