#include "protocols/kafka/kafka_controller.hpp"

#include <algorithm>
#include <functional>
#include <iterator>
#include <utility>

namespace replisim {

namespace {
bool contains(const std::vector<NodeId>& nodes, NodeId node)
{
  return std::find(nodes.begin(), nodes.end(), node) != nodes.end();
}
}  // namespace

PartitionState placed_state(const Placement& placement, UnitId unit)
{
  const auto set = placement.replicas(unit);
  return PartitionState{unit, set.front(), 1, 1, {set.begin(), set.end()}};
}

NodeId first_live_in_sync(std::span<const NodeId> replicas, const std::vector<NodeId>& isr,
                          const std::vector<bool>& fenced)
{
  for (NodeId r : replicas)
    if (contains(isr, r) && !fenced.at(static_cast<std::size_t>(r)))
      return r;
  return kNoNode;
}

std::vector<NodeId> in_assignment_order(std::span<const NodeId> replicas, const std::vector<NodeId>& isr)
{
  std::vector<NodeId> ordered;
  for (NodeId r : replicas)
    if (contains(isr, r))
      ordered.push_back(r);
  return ordered;
}

// Kafka compares the ratio with the percentage / 100; counting in integers
// times 100 keeps a share exactly at the threshold from tipping over it.
std::vector<UnitId> preferred_leader_elections(const Placement& placement, const std::vector<PartitionState>& view,
                                               const std::vector<bool>& fenced, std::optional<double> max_pct)
{
  const auto nodes = static_cast<std::size_t>(placement.node_count());
  std::vector<int> preferring(nodes, 0);
  std::vector<int> led_elsewhere(nodes, 0);
  for (UnitId u = 0; u < placement.unit_count(); ++u) {
    const auto preferred = static_cast<std::size_t>(placement.primary(u));
    ++preferring[preferred];
    if (view.at(static_cast<std::size_t>(u)).leader != placement.primary(u))
      ++led_elsewhere[preferred];
  }
  std::vector<UnitId> moves;
  for (UnitId u = 0; u < placement.unit_count(); ++u) {
    const NodeId preferred = placement.primary(u);
    const auto b = static_cast<std::size_t>(preferred);
    const PartitionState& state = view.at(static_cast<std::size_t>(u));
    const bool imbalanced = !max_pct || 100.0 * led_elsewhere[b] > *max_pct * preferring[b];
    if (imbalanced && state.leader != preferred && !fenced.at(b) && contains(state.isr, preferred))
      moves.push_back(u);
  }
  return moves;
}

KafkaController::KafkaController(NodeId self, const Placement& placement, const KafkaControllerConfig& config)
    : self_(self), placement_(placement), config_(config)
{
}

void KafkaController::activate(Time now)
{
  const auto units = static_cast<std::size_t>(placement_.unit_count());
  active_ = true;
  now_ = now;
  activated_ = now;
  brokers_.assign(static_cast<std::size_t>(placement_.node_count()), Broker{now, false, false});
  view_.assign(units, PartitionState{});
  for (std::size_t u = 0; u < units; ++u)
    view_[u].unit = static_cast<UnitId>(u);
  reported_term_.assign(units, 0);
  restarted_.assign(units, {});
  sole_source_.assign(units, kNoNode);
  next_check_ = now + config_.leader_imbalance_check_interval;
}

void KafkaController::start(Time now)
{
  activate(now);
  for (Broker& b : brokers_) {
    b.registered = true;
    b.contact = now;
  }
  for (UnitId u = 0; u < placement_.unit_count(); ++u) {
    view_[static_cast<std::size_t>(u)] = placed_state(placement_, u);
    reported_term_[static_cast<std::size_t>(u)] = 1;
  }
}

void KafkaController::take_over(Time now, const std::vector<NodeId>& silent, const BrokerHeartbeat& own)
{
  activate(now);
  for (NodeId b : silent)
    if (b != self_)
      brokers_.at(static_cast<std::size_t>(b)).fenced = true;
  on_heartbeat(self_, own, now);
}

void KafkaController::stop()
{
  active_ = false;
  view_.clear();
  reported_term_.clear();
  restarted_.clear();
  sole_source_.clear();
  brokers_.clear();
  next_check_ = kNever;
  outbox_.clear();
  elections_.clear();
}

// A broker back from a crash leads nothing, whatever the view says, and may
// have missed entries: it counts as fenced in each of its partitions until
// the controller's next decision for the partition.
bool KafkaController::on_heartbeat(NodeId broker, const BrokerHeartbeat& m, Time now)
{
  now_ = now;
  const bool had_quorum = has_quorum(now);
  Broker& b = brokers_.at(static_cast<std::size_t>(broker));
  b.last_heard = now;
  b.contact = now;
  const bool deciding = has_quorum(now);
  if (deciding && !m.registering && m.decisions < b.sent)
    send_all_states(broker);
  if (m.registering) {
    merge(broker, m.report);
    b.registered = true;
    if (m.restarted)
      for (UnitId u = 0; u < placement_.unit_count(); ++u)
        if (placement_.is_replica(u, broker))
          restarted_[static_cast<std::size_t>(u)].push_back(broker);
  }
  if (!deciding)
    return b.registered;  // a controller without a majority decides nothing (KIP-595)
  if (b.fenced)
    unfence(broker);
  else if (m.registering)
    settle_units_of(broker);
  if (!had_quorum)  // what waited for a majority
    for (UnitId u = 0; u < placement_.unit_count(); ++u)
      settle(u);
  return b.registered;
}

// Per partition the newest state reported wins, and who alone reported it is
// noted; a report of a term above every epoch known makes the next
// decision's epoch higher still.
void KafkaController::merge(NodeId broker, const std::vector<ReplicaReport>& report)
{
  for (const ReplicaReport& r : report) {
    const auto u = static_cast<std::size_t>(r.known.unit);
    reported_term_.at(u) = std::max(reported_term_[u], r.term);
    const PartitionState& held = view_[u];
    if (r.known.version == 0)
      continue;
    const auto newest = std::pair(held.epoch, held.version);
    if (!known(r.known.unit) || std::pair(r.known.epoch, r.known.version) > newest) {
      view_[u] = r.known;
      sole_source_[u] = broker;
    } else if (std::pair(r.known.epoch, r.known.version) == newest && sole_source_[u] != broker) {
      sole_source_[u] = kNoNode;
    }
  }
}

void KafkaController::on_alter_partition(NodeId leader, const AlterPartition& m, Time now)
{
  now_ = now;
  brokers_.at(static_cast<std::size_t>(leader)).contact = now;
  if (!has_quorum(now))
    return;  // KRaft commits no AlterPartition record without a majority
  for (const PartitionState& p : m.proposals) {
    if (p.unit < 0 || p.unit >= placement_.unit_count() || !ready(p.unit))
      continue;
    const PartitionState& held = partition(p.unit);
    if (held.leader != leader || p.epoch != held.epoch || p.version != held.version)
      continue;  // made against a state since replaced
    std::vector<NodeId> isr = in_assignment_order(placement_.replicas(p.unit), p.isr);
    const bool eligible = std::none_of(isr.begin(), isr.end(), [&](NodeId r) { return fenced(r); });
    if (eligible && contains(isr, leader) && isr != held.isr)
      change(p.unit, leader, std::move(isr), false, true);
  }
}

// Brokers whose sessions expire together are fenced together, so that no
// partition is handed to one of them on the way.
void KafkaController::on_timer(Time now)
{
  now_ = now;
  if (!has_quorum(now))
    return;  // a controller without a majority fences nobody (KIP-595)
  std::vector<NodeId> expired;
  for (NodeId b = 0; b < static_cast<NodeId>(brokers_.size()); ++b) {
    Broker& broker = brokers_[static_cast<std::size_t>(b)];
    if (b != self_ && !broker.fenced && now >= broker.last_heard + config_.broker_session_timeout) {
      broker.fenced = true;
      expired.push_back(b);
    }
  }
  for (NodeId b : expired)
    settle_units_of(b);
  if (now >= next_check_) {
    rebalance();
    while (next_check_ <= now)
      next_check_ += config_.leader_imbalance_check_interval;
  }
}

Time KafkaController::deadline() const
{
  if (!active_)
    return kNever;
  if (!has_quorum(now_))
    return std::max(now_, activated_ + config_.quorum_window());  // when it resigns
  Time next = std::min(next_check_, quorum_expiry());
  for (NodeId b = 0; b < static_cast<NodeId>(brokers_.size()); ++b) {
    const Broker& broker = brokers_[static_cast<std::size_t>(b)];
    if (b != self_ && !broker.fenced)
      next = std::min(next, broker.last_heard + config_.broker_session_timeout);
  }
  return next;
}

bool KafkaController::has_quorum(Time now) const
{
  int heard = 0;
  for (NodeId b = 0; b < static_cast<NodeId>(brokers_.size()); ++b)
    if (b == self_ || now - brokers_[static_cast<std::size_t>(b)].contact < config_.quorum_window())
      ++heard;
  return 2 * heard > placement_.node_count();
}

// When the quorum lapses if nobody else is heard from: the window after the
// contact of the last of the majority's other members.
Time KafkaController::quorum_expiry() const
{
  std::vector<Time> contacts;
  for (NodeId b = 0; b < static_cast<NodeId>(brokers_.size()); ++b)
    if (b != self_)
      contacts.push_back(brokers_[static_cast<std::size_t>(b)].contact);
  const std::size_t others = static_cast<std::size_t>(placement_.node_count() / 2);  // a majority less itself
  if (others == 0)
    return kNever;
  std::sort(contacts.begin(), contacts.end(), std::greater<>());
  return contacts.at(others - 1) + config_.quorum_window();
}

// Decided only once every replica has registered or been fenced, so that a
// new controller's epochs are above every epoch a live replica knows.
bool KafkaController::ready(UnitId unit) const
{
  if (!known(unit))
    return false;
  const auto set = placement_.replicas(unit);
  return std::all_of(set.begin(), set.end(), [&](NodeId r) {
    const Broker& b = brokers_.at(static_cast<std::size_t>(r));
    return b.registered || b.fenced;
  });
}

std::vector<bool> KafkaController::fenced_brokers() const
{
  std::vector<bool> fenced(brokers_.size());
  for (std::size_t b = 0; b < brokers_.size(); ++b)
    fenced[b] = brokers_[b].fenced;
  return fenced;
}

// Kafka's controller sends a broker that registers the state of its partitions.
void KafkaController::unfence(NodeId broker)
{
  brokers_.at(static_cast<std::size_t>(broker)).fenced = false;
  send_all_states(broker);
  settle_units_of(broker);
}

void KafkaController::send_all_states(NodeId broker)
{
  LeaderAndIsr& m = outbox_[broker];
  m.full = true;
  m.partitions.clear();
  for (UnitId u = 0; u < placement_.unit_count(); ++u)
    if (placement_.is_replica(u, broker) && known(u))
      m.partitions.push_back(partition(u));
}

std::map<NodeId, LeaderAndIsr> KafkaController::take_announcements()
{
  for (auto& [broker, m] : outbox_)
    m.sequence = ++brokers_.at(static_cast<std::size_t>(broker)).sent;
  return std::exchange(outbox_, {});
}

void KafkaController::settle_units_of(NodeId broker)
{
  for (UnitId u = 0; u < placement_.unit_count(); ++u)
    if (placement_.is_replica(u, broker))
      settle(u);
}

// The partition's ISR without its fenced and restarted members, and a leader
// that is live, in it and not restarted: the one it has, or the first such
// replica in assignment order at a new epoch. When no member is left, the
// restarted ones stay and may lead (their logs are durable, so they still
// hold every acknowledged entry), but not one whose own report is all the
// controller knows of the partition while another replica has not reported:
// back from a crash, it may have missed its removal. With none of those
// either, the ISR stays as it is, for one of its members to come back, and
// the partition has no leader.
void KafkaController::settle(UnitId unit)
{
  if (!ready(unit))
    return;
  const auto u = static_cast<std::size_t>(unit);
  const PartitionState& held = view_[u];
  const auto restarted = [&](NodeId r) { return contains(restarted_[u], r); };
  const auto current = [&](NodeId r) { return !fenced(r) && !restarted(r); };
  const auto set = placement_.replicas(unit);
  const bool all_reported = std::all_of(set.begin(), set.end(), [&](NodeId r) { return registered(r); });
  const auto vouched_for = [&](NodeId r) {
    return !fenced(r) && restarted(r) && (sole_source_[u] != r || all_reported);
  };
  const auto members = [&](const auto& keep) {
    std::vector<NodeId> kept;
    std::copy_if(held.isr.begin(), held.isr.end(), std::back_inserter(kept), keep);
    return kept;
  };
  std::vector<NodeId> isr = members(current);
  if (isr.empty())
    isr = members(vouched_for);
  const bool can_lead = !isr.empty();
  if (!can_lead)
    isr = held.isr;
  NodeId leader = held.leader;
  const bool lost = leader == kNoNode || !current(leader) || !contains(isr, leader);
  if (lost)
    leader = can_lead ? first_live_in_sync(placement_.replicas(unit), isr, fenced_brokers()) : kNoNode;
  const bool new_epoch = (lost && leader != kNoNode) || leader != held.leader || reported_term_[u] > held.epoch;
  if (new_epoch || isr != held.isr)
    change(unit, leader, std::move(isr), new_epoch, can_lead);
  else if (can_lead)
    restarted_[u].clear();
}

// `vetted`: the ISR's members are known to hold every acknowledged entry,
// so none of them counts as restarted any more.
void KafkaController::change(UnitId unit, NodeId leader, std::vector<NodeId> isr, bool new_epoch, bool vetted)
{
  const auto u = static_cast<std::size_t>(unit);
  PartitionState& state = view_[u];
  if (new_epoch) {
    const bool led_again = leader != state.leader || contains(restarted_[u], leader);
    state.epoch = std::max(state.epoch, reported_term_[u]) + 1;
    if (leader != kNoNode && led_again)
      elections_.push_back(RoleEvent{RoleEvent::Kind::election_started, unit, leader, state.epoch, now_});
  }
  state.leader = leader;
  state.isr = std::move(isr);
  ++state.version;
  if (vetted) {
    restarted_[u].clear();
    sole_source_[u] = kNoNode;
  }
  for (NodeId r : placement_.replicas(unit))
    if (!fenced(r))
      outbox_[r].partitions.push_back(state);
}

void KafkaController::rebalance()
{
  std::optional<double> gate;
  if (config_.mode == KafkaControllerMode::zookeeper)
    gate = config_.leader_imbalance_per_broker_pct;
  for (UnitId u : preferred_leader_elections(placement_, view_, fenced_brokers(), gate))
    if (ready(u))
      change(u, placement_.primary(u), view_[static_cast<std::size_t>(u)].isr, true, true);
}

}  // namespace replisim
