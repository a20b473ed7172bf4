#include "experiments/core/datastore.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "experiments/core/models/registry.hpp"
#include "protocols/common/rng.hpp"

namespace replisim {

namespace {

constexpr std::uint64_t kServiceStreams = 1u << 21;  // node n draws its costs from stream kServiceStreams + n

// Zone indices of the nodes, in order of first appearance; their names in `names`.
std::vector<int> zone_indices(const Cluster& cluster, std::vector<std::string>& names)
{
  std::vector<int> zone;
  for (const HostInfo& h : cluster.nodes()) {
    auto it = std::find(names.begin(), names.end(), h.zone);
    if (it == names.end())
      it = names.insert(names.end(), h.zone);
    zone.push_back(static_cast<int>(it - names.begin()));
  }
  return zone;
}

// Waits each node keeps in memory before they go to the run's spill file:
// about 8 MB for all the nodes together, 2 to 32 KB each.
std::size_t wait_buffer(std::size_t nodes)
{
  return std::clamp<std::size_t>((std::size_t{1} << 20) / std::max<std::size_t>(1, nodes), 256, 4096);
}

}  // namespace

Datastore::Datastore(const RunConfig& config, Cluster& cluster)
    : config_(config), cluster_(cluster), invariants_(config.check_invariants),
      leadership_(deploy_model(), membership_.alive)
{
  leadership_.set_connected([this](NodeId a, NodeId b) { return cluster_.connected(a, b); });
  server_settings_.threads = config_.threads;
  server_settings_.service = config_.service_model;
  server_settings_.sync_writes = config_.sync_writes;
  traffic_.assign(static_cast<std::size_t>(membership_.node_count()), Traffic{});
  waits_.reserve(traffic_.size());
  for (std::size_t n = 0; n < traffic_.size(); ++n)
    waits_.emplace_back(wait_buffer(traffic_.size()), spill_);
  for (NodeId n = 0; n < membership_.node_count(); ++n) {
    nodes_.push_back(model_->make_node(n));
    cluster_.add_node(n, *nodes_.back(), traffic_[static_cast<std::size_t>(n)], server_settings_,
                      derive_seed(config_.seed, kServiceStreams + static_cast<std::uint64_t>(n)));
    if (!membership_.alive[n])
      cluster_.turn_off_node(n);
  }
  write_ops_to(nullptr);
  cluster_.observe(*this);
}

// Before anything else is built: the leadership tracker follows the model.
const Model& Datastore::deploy_model()
{
  if (config_.sync_writes)
    cluster_.require_disks();
  membership_ = Membership::all_up(zone_indices(cluster_, zones_));
  for (const std::string& host : config_.down) {
    const auto& all = cluster_.nodes();
    auto it = std::find_if(all.begin(), all.end(), [&](const HostInfo& h) { return h.name == host; });
    if (it == all.end())
      throw std::invalid_argument(fmt::format("--down: no node host '{}'", host));
    membership_.alive[static_cast<std::size_t>(it - all.begin())] = false;
  }
  const ModelSettings settings = config_.model_settings();
  const ModelContext context{settings, config_.params, cluster_, membership_, zones_, &invariants_};
  model_ = models().get(config_.model).deploy(context);
  return *model_;
}

void Datastore::nodes_started(Time now)
{
  if (nodes_started_)
    return;
  nodes_started_ = true;
  leadership_.changed(now);
}

void Datastore::role_changed(const RoleEvent& e)
{
  leadership_.event(e);
  if (nodes_started_)
    leadership_.changed(e.at);
  invariants_.role_changed(e);
  model_->role_changed(e);
  if (invariants_.violation())
    cluster_.stop_soon();
}

void Datastore::node_down(NodeId node, Time now)
{
  membership_.alive[static_cast<std::size_t>(node)] = false;
  leadership_.fault(now);
  leadership_.changed(now);
}

void Datastore::node_up(NodeId node, Time now)
{
  membership_.alive[static_cast<std::size_t>(node)] = true;
  leadership_.changed(now);
}

void Datastore::node_paused(NodeId node, Time now)
{
  leadership_.set_paused(node, true);
  leadership_.fault(now);
  leadership_.changed(now);
}

void Datastore::node_resumed(NodeId node, Time now)
{
  leadership_.set_paused(node, false);
  leadership_.changed(now);
}
// Leadership does not change with the network, but whether a leader reaches
// the replicas it needs to commit does (write_unavailability_*).
void Datastore::network_changed(Time now) { leadership_.changed(now); }

void Datastore::write_ops_to(std::ostream* csv)
{
  metrics_ = std::make_unique<OpMetrics>(csv, [this] { return oldest_outstanding_ ? oldest_outstanding_() : kNever; });
  if (model_->may_lose_writes())
    metrics_->judge_after_run();
  if (model_->has_commit_point())
    metrics_->count_dirty_reads();
}

Datastore::~Datastore() = default;

int Datastore::client_retries() const
{
  if (config_.retries)
    return *config_.retries;
  const auto driver = model().client_driver();
  return driver ? driver->retries : 0;
}

const Router& Datastore::router(ClientId c)
{
  if (routers_.size() <= static_cast<std::size_t>(c))
    routers_.resize(static_cast<std::size_t>(c) + 1);
  auto& router = routers_[static_cast<std::size_t>(c)];
  if (!router)
    router = model_->make_router(c);
  return *router;
}

void Datastore::watch_outstanding(std::function<Time()> oldest_outstanding)
{
  oldest_outstanding_ = std::move(oldest_outstanding);
}

void Datastore::record(const Completion& op)
{
  if (const std::optional<NodeId> primary = model_->primary_now(op.unit); primary && *primary != op.primary) {
    Completion moved = op;
    moved.primary = *primary;
    metrics_->record(moved);
  } else {
    metrics_->record(op);
  }
  model_->on_completion(op);
}

void Datastore::finish(double run_s)
{
  leadership_.finish(run_s);
  model_->after_run();
  if (invariants_.violation())
    throw InvariantViolation(*invariants_.violation());
  metrics_->finish(model_->lost_writes());
  loads_.clear();
  for (NodeId n = 0; n < static_cast<NodeId>(nodes_.size()); ++n)
    loads_.push_back(summarise_load(cluster_.load_of(n), waits_[static_cast<std::size_t>(n)], run_s));
}

void Datastore::message_waited(NodeId node, double seconds) { waits_[static_cast<std::size_t>(node)].add(seconds); }

RoleGraph Datastore::role_graph() const
{
  const UnitRoles roles = model_->roles();
  return RoleGraph(placement(), roles.primaries, roles.leaders);
}

}  // namespace replisim
