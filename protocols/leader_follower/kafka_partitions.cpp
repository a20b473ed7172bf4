// A Kafka leader's partitions: the controller's decisions applied to this
// node's replicas, and the ISR changes a leader proposes back.
#include <algorithm>
#include <utility>

#include "protocols/leader_follower/kafka_controlled.hpp"

namespace replisim {

// A decision older than the node's term (a later epoch reached it through an
// append) or than the last one it applied changes nothing.
void KafkaControlled::apply_partition(UnitState& state, const PartitionState& decided, Ready& out)
{
  Volatile& vol = state.vol;
  const Term term = state.durable.term;
  PartitionState& known = known_.at(state.id);
  if (decided.epoch < term ||
      (known.version != 0 && std::pair(decided.epoch, decided.version) <= std::pair(known.epoch, known.version)))
    return;
  known = decided;
  ++out.persist;
  if (decided.leader == self_ && (vol.role != ReplicaRole::leader || decided.epoch > term)) {
    lead_epoch(state, decided.epoch, out);
  } else if (decided.leader == self_) {
    adopt_isr(state);  // an ISR change of this epoch
    host_.acknowledge_committed(state, out);
  } else if (decided.epoch > term || vol.role == ReplicaRole::leader) {
    host_.become_follower(state, decided.epoch, decided.leader, out);
  } else {
    vol.leader = decided.leader;
  }
}

// Leads `epoch`: a leader of an earlier epoch steps down first (its pending
// writes fail, naming itself), then takes the lead with the controller's ISR
// and opens the epoch with a no-op.
void KafkaControlled::lead_epoch(UnitState& state, Term epoch, Ready& out)
{
  host_.become_follower(state, epoch, self_, out);
  host_.take_lead(state, out);
  adopt_isr(state);
  host_.start_writing(state, out);
}

void KafkaControlled::adopt_isr(UnitState& state)
{
  const auto set = placement_.replicas(state.id);
  const auto& isr = known_.at(state.id).isr;
  auto& replicas = state.vol.lead->replicas;
  for (std::size_t i = 0; i < set.size(); ++i)
    replicas[i].in_sync = set[i] == self_ || std::find(isr.begin(), isr.end(), set[i]) != isr.end();
}

// Kafka schedules its ISR check ("isr-expiration") every
// replica.lag.time.max.ms / 2 from the broker's start; the phase here is a
// uniform draw over one period, so that brokers do not check in step.
void KafkaControlled::start_isr_checks(Ready& out)
{
  const Time period = config_.replica_lag_max / 2;
  isr_armed_ = host_.now() + period * isr_rng_.uniform();
  out.set_timer(kIsrTimer, isr_armed_);
}

// Kafka's Partition.maybeShrinkIsr, replica.lag.time.max.ms: a follower in
// sync that the leader has not heard from for replica_lag_max is out of
// sync; the leader proposes its removal at once.
void KafkaControlled::isr_check(Ready& out)
{
  if (host_.now() < isr_armed_)
    return;  // superseded
  std::vector<UnitId> led;
  out_of_sync_.clear();
  for (UnitId unit : placement_.units_of(self_)) {
    const UnitState& state = host_.unit(unit);
    if (state.vol.role != ReplicaRole::leader)
      continue;
    led.push_back(unit);
    const auto& replicas = state.vol.lead->replicas;
    const auto set = placement_.replicas(unit);
    std::vector<NodeId> lagging;
    for (std::size_t i = 0; i < set.size(); ++i)
      if (set[i] != self_ && replicas[i].in_sync && !replicas[i].heard_within(config_.replica_lag_max, host_.now()))
        lagging.push_back(set[i]);
    if (!lagging.empty())
      out_of_sync_[unit] = std::move(lagging);
  }
  isr_armed_ += config_.replica_lag_max / 2;
  out.set_timer(kIsrTimer, isr_armed_);
  propose_isr(led, out);
}

void KafkaControlled::after_heartbeats(const std::vector<UnitId>& led, Ready& out) { propose_isr(led, out); }

// The ISR a leader proposes: itself, the followers in its in-sync set (a
// follower that caught up rejoins it at once: Partition.maybeExpandIsr),
// less those the last ISR check found out of sync and not heard from since.
// Proposed at every heartbeat until the controller's state matches, which
// also retries a proposal lost with a controller that crashed.
void KafkaControlled::propose_isr(const std::vector<UnitId>& led, Ready& out)
{
  AlterPartition m;
  for (UnitId unit : led) {
    const UnitState& state = host_.unit(unit);
    const auto& replicas = state.vol.lead->replicas;
    const auto set = placement_.replicas(unit);
    const auto found = out_of_sync_.find(unit);
    const auto found_lagging = [&](NodeId node) {
      return found != out_of_sync_.end() && std::find(found->second.begin(), found->second.end(), node) !=
                                                found->second.end();
    };
    std::vector<NodeId> isr;
    for (std::size_t i = 0; i < set.size(); ++i) {
      const bool dropped = found_lagging(set[i]) && !replicas[i].heard_within(config_.replica_lag_max, host_.now());
      if (set[i] == self_ || (replicas[i].in_sync && !dropped))
        isr.push_back(set[i]);
    }
    const PartitionState& known = known_.at(unit);
    if (isr != known.isr)
      m.proposals.push_back(PartitionState{unit, self_, state.durable.term, known.version, std::move(isr)});
  }
  if (m.proposals.empty())
    return;
  if (controller_.active()) {
    controller_.on_alter_partition(self_, m, host_.now());
    publish(out);
  } else {
    out.send(self(), Address::node(finder_.controller()), std::move(m));
  }
}

}  // namespace replisim
