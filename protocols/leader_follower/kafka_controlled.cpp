// The broker's side of a Kafka controller: heartbeats that keep the broker
// unfenced, the controller's decisions applied to the node's partitions, the
// leader's ISR proposals, and the controller itself when this node is the
// controller (kafka_controller.hpp).
#include "protocols/leader_follower/kafka_controlled.hpp"

#include <algorithm>
#include <utility>

namespace replisim {

KafkaControlled::KafkaControlled(LeadershipHost& host, NodeId self, const Placement& placement,
                                 WriteConcern concern, int min_insync, const FailoverConfig& config)
    : ElectedLeader(host, self, placement, concern), min_insync_(min_insync), config_(config),
      controller_(self, placement, config.controller),
      finder_(self, placement.node_count(), config.controller.broker_session_timeout),
      isr_rng_(derive_seed(config.seed, static_cast<std::uint64_t>(self)))
{
  known_.reserve(placement.units_of(self).size());
  for (UnitId unit : placement.units_of(self))
    known_[unit];
}

// The primaries lead epoch 1 as placed; every broker knows the partitions as
// placed; node 0 starts as the controller.
void KafkaControlled::start(Ready& out)
{
  std::vector<UnitId> led;
  for (UnitId unit : placement_.units_of(self_)) {
    UnitState& state = host_.unit(unit);
    if (state.vol.role == ReplicaRole::leader) {
      host_.take_lead(state, out);
      led.push_back(unit);
    }
  }
  host_.send_heartbeats(led, out);
  for (UnitId unit : placement_.units_of(self_))
    known_.at(unit) = placed_state(placement_, unit);
  finder_.start(host_.now());
  start_isr_checks(out);
  if (finder_.controller() == self_) {
    controller_.start(host_.now());
    publish(out);
  } else {
    arm_broker_heartbeat(out);
  }
}

void KafkaControlled::crash()
{
  controller_.stop();
  broker_armed_ = kNever;
  controller_armed_ = kNever;
  isr_armed_ = kNever;
  out_of_sync_.clear();
}

// Back from a crash, leading nothing, the broker registers at once with the
// node after it (ControllerFinder), reporting the states it was last sent.
void KafkaControlled::recover(Ready& out)
{
  start_isr_checks(out);
  if (finder_.restart(host_.now()))
    take_over(out);
  else
    send_broker_heartbeat(out);
}

void KafkaControlled::on_timer(TimerId id, Ready& out)
{
  if (id == kBrokerTimer)
    broker_tick(out);
  else if (id == kControllerTimer)
    controller_tick(out);
  else if (id == kIsrTimer)
    isr_check(out);
}

LogIndex KafkaControlled::commit_index(const UnitState& state) const
{
  const auto& replicas = state.vol.lead->replicas;
  return high_watermark(match_indexes(replicas), in_sync_flags(replicas), state.vol.commit);
}

bool KafkaControlled::fails_held_writes(const Leading& lead) const
{
  return concern_ == WriteConcern::all && count_in_sync(lead.replicas) < min_insync_;
}

// Kafka's Partition.isFollowerInSync: at the high watermark and past the
// start of the leader's epoch, since a leader back from a crash lost its high
// watermark and may know it lower than the followers.
LogIndex KafkaControlled::rejoin_index(const UnitState& state) const
{
  return std::max(state.vol.commit, state.vol.lead->term_start);
}

void KafkaControlled::broker_tick(Ready& out)
{
  if (host_.now() < broker_armed_)
    return;  // superseded
  broker_armed_ = kNever;
  if (controller_.active())
    return;
  if (finder_.heartbeat_due(host_.now()))
    take_over(out);
  else
    send_broker_heartbeat(out);
}

void KafkaControlled::send_broker_heartbeat(Ready& out)
{
  BrokerHeartbeat m = finder_.registered() ? BrokerHeartbeat{} : registration();
  m.decisions = finder_.decisions();
  out.send(self(), Address::node(finder_.controller()), std::move(m));
  arm_broker_heartbeat(out);
}

// Moves the deadline: a firing before it is superseded.
void KafkaControlled::arm_broker_heartbeat(Ready& out)
{
  broker_armed_ = host_.now() + config_.controller.broker_heartbeat_interval;
  out.set_timer(kBrokerTimer, broker_armed_);
}

BrokerHeartbeat KafkaControlled::registration() const
{
  BrokerHeartbeat m{.registering = true, .restarted = finder_.restarted(), .report = {}};
  for (UnitId unit : placement_.units_of(self_))
    m.report.push_back({known_.at(unit), host_.unit(unit).durable.term});
  return m;
}

// The new controller tells every other node at once, so that the live
// brokers register within a heartbeat instead of finding it node by node.
void KafkaControlled::take_over(Ready& out)
{
  controller_.take_over(host_.now(), finder_.silent(), registration());
  finder_.took_over();
  for (NodeId n = 0; n < placement_.node_count(); ++n)
    if (n != self_)
      out.send(self(), Address::node(n), BrokerHeartbeatReply{self_, false});
  publish(out);
}

void KafkaControlled::controller_tick(Ready& out)
{
  if (host_.now() < controller_armed_)
    return;  // superseded
  controller_armed_ = kNever;
  if (controller_.resigns(host_.now())) {
    resign(out);
    return;
  }
  controller_.on_timer(host_.now());
  publish(out);
}

// KIP-595: a quorum leader without fetches from a majority for
// controller.quorum.fetch.timeout.ms resigns; this node becomes a broker
// again and looks for the controller from the node after it.
void KafkaControlled::resign(Ready& out)
{
  controller_.stop();
  finder_.resigned(host_.now());
  send_broker_heartbeat(out);
}

// The controller's decisions leave for the other brokers; this node's own
// share applies at once. Its timer is armed when it has none: heartbeats
// only move deadlines later, so a firing finds nothing due or fences, and
// re-arms for the next (a scan of every broker, kept off the heartbeat path).
void KafkaControlled::publish(Ready& out)
{
  for (const RoleEvent& e : controller_.take_elections())
    host_.report_role(e);
  for (auto& [node, m] : controller_.take_announcements()) {
    if (node != self_) {
      out.send(self(), Address::node(node), std::move(m));
      continue;
    }
    for (const PartitionState& decided : m.partitions)
      apply_partition(host_.unit(decided.unit), decided, out);
  }
  if (controller_armed_ == kNever && controller_.active()) {
    controller_armed_ = controller_.deadline();
    out.set_timer(kControllerTimer, controller_armed_);
  }
}

void KafkaControlled::on(const BrokerHeartbeat& m, Address from, Ready& out)
{
  if (!controller_.active()) {
    out.send(self(), from, BrokerHeartbeatReply{finder_.confirmed(), false});
    return;
  }
  const bool registered = controller_.on_heartbeat(from.index, m, host_.now());
  out.send(self(), from, BrokerHeartbeatReply{self_, registered});
  publish(out);
}

// Two nodes can take over at once (one back from a crash that the others
// still named, one that had found it silent): on hearing of the other, the
// higher id steps down and becomes a broker of the lower, as the
// lowest-live-id rule has it.
void KafkaControlled::on(const BrokerHeartbeatReply& m, Address from, Ready& out)
{
  if (controller_.active()) {
    if (m.controller != from.index)
      return;  // a redirect sent before this node took over
    if (from.index > self_) {
      out.send(self(), from, BrokerHeartbeatReply{self_, false});
      return;
    }
    controller_.stop();
    controller_armed_ = kNever;
  }
  if (finder_.on_reply(from.index, m, host_.now()))
    take_over(out);
  else if (broker_armed_ == kNever || (m.controller == from.index && !m.registered))
    send_broker_heartbeat(out);  // registers at once with a controller that lacks it
}

void KafkaControlled::on(const LeaderAndIsr& m, Address from, Ready& out)
{
  finder_.received(from.index, m);
  for (const PartitionState& decided : m.partitions)
    if (UnitState* state = host_.find_unit(decided.unit))
      apply_partition(*state, decided, out);
}

void KafkaControlled::on(const AlterPartition& m, Address from, Ready& out)
{
  if (!controller_.active())
    return;  // the leader proposes again at its next heartbeat, to the controller it finds
  controller_.on_alter_partition(from.index, m, host_.now());
  publish(out);
}

}  // namespace replisim
