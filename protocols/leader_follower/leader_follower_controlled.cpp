// The broker's side of a Kafka controller (FailoverConfig::kafka): heartbeats
// that keep the broker unfenced, the controller's decisions applied to the
// node's partitions, the leader's ISR proposals, and the controller itself
// when this node is the controller (kafka_controller.hpp).
#include <algorithm>
#include <utility>

#include "protocols/leader_follower/leader_follower.hpp"

namespace replisim {

// Every broker knows the partitions as placed; node 0 starts as the controller.
void LeaderFollowerNode::start_controlled(Ready& out)
{
  for (UnitId unit : my_units_)
    units_.at(unit).durable.known = placed_state(placement_, unit);
  finder_.start(now_);
  if (finder_.controller() == self_) {
    controller_.start(now_);
    publish(out);
  } else {
    arm_broker_heartbeat(out);
  }
}

// Back from a crash, leading nothing, the broker registers at once with the
// node after it (ControllerFinder), reporting the states it was last sent.
void LeaderFollowerNode::recover_controlled(Ready& out)
{
  for (UnitId unit : my_units_)
    units_.at(unit).vol = Volatile{};
  if (finder_.restart(now_))
    take_over(out);
  else
    send_broker_heartbeat(out);
}

void LeaderFollowerNode::broker_tick(Ready& out)
{
  if (now_ < broker_armed_)
    return;  // superseded
  broker_armed_ = kNever;
  if (controller_.active())
    return;
  if (finder_.heartbeat_due(now_))
    take_over(out);
  else
    send_broker_heartbeat(out);
}

void LeaderFollowerNode::send_broker_heartbeat(Ready& out)
{
  BrokerHeartbeat m = finder_.registered() ? BrokerHeartbeat{} : registration();
  m.decisions = finder_.decisions();
  out.send(self(), Address::node(finder_.controller()), std::move(m));
  arm_broker_heartbeat(out);
}

// Moves the deadline: a firing before it is superseded.
void LeaderFollowerNode::arm_broker_heartbeat(Ready& out)
{
  broker_armed_ = now_ + failover_.controller.broker_heartbeat_interval;
  out.set_timer(kBrokerTimer, broker_armed_);
}

BrokerHeartbeat LeaderFollowerNode::registration() const
{
  BrokerHeartbeat m{.registering = true, .restarted = finder_.restarted(), .report = {}};
  for (UnitId unit : my_units_) {
    const UnitState& state = units_.at(unit);
    m.report.push_back({state.durable.known.view(), state.durable.term});
  }
  return m;
}

// The new controller tells every other node at once, so that the live
// brokers register within a heartbeat instead of finding it node by node.
void LeaderFollowerNode::take_over(Ready& out)
{
  controller_.take_over(now_, finder_.silent(), registration());
  finder_.took_over();
  for (NodeId n = 0; n < placement_.node_count(); ++n)
    if (n != self_)
      out.send(self(), Address::node(n), BrokerHeartbeatReply{self_, false});
  publish(out);
}

void LeaderFollowerNode::controller_tick(Ready& out)
{
  if (now_ < controller_armed_)
    return;  // superseded
  controller_armed_ = kNever;
  controller_.on_timer(now_);
  publish(out);
}

// The controller's decisions leave for the other brokers; this node's own
// share applies at once. Its timer is armed when it has none: heartbeats
// only move deadlines later, so a firing finds nothing due or fences, and
// re-arms for the next (a scan of every broker, kept off the heartbeat path).
void LeaderFollowerNode::publish(Ready& out)
{
  for (const RoleEvent& e : controller_.take_elections())
    report(e);
  for (auto& [node, m] : controller_.take_announcements()) {
    if (node != self_) {
      out.send(self(), Address::node(node), std::move(m));
      continue;
    }
    for (const PartitionState& decided : m.partitions)
      apply_partition(units_.at(decided.unit), decided, out);
  }
  if (controller_armed_ == kNever && controller_.active()) {
    controller_armed_ = controller_.deadline();
    out.set_timer(kControllerTimer, controller_armed_);
  }
}

void LeaderFollowerNode::on(const BrokerHeartbeat& m, Address from, Ready& out)
{
  if (!controlled())
    return;
  if (!controller_.active()) {
    out.send(self(), from, BrokerHeartbeatReply{finder_.confirmed(), false});
    return;
  }
  const bool registered = controller_.on_heartbeat(from.index, m, now_);
  out.send(self(), from, BrokerHeartbeatReply{self_, registered});
  publish(out);
}

// Two nodes can take over at once (one back from a crash that the others
// still named, one that had found it silent): on hearing of the other, the
// higher id steps down and becomes a broker of the lower, as the
// lowest-live-id rule has it.
void LeaderFollowerNode::on(const BrokerHeartbeatReply& m, Address from, Ready& out)
{
  if (!controlled())
    return;
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
  if (finder_.on_reply(from.index, m, now_))
    take_over(out);
  else if (broker_armed_ == kNever || (m.controller == from.index && !m.registered))
    send_broker_heartbeat(out);  // registers at once with a controller that lacks it
}

void LeaderFollowerNode::on(const LeaderAndIsr& m, Address from, Ready& out)
{
  if (!controlled())
    return;
  finder_.received(from.index, m);
  for (const PartitionState& decided : m.partitions)
    if (UnitState* state = unit_state(decided.unit))
      apply_partition(*state, decided, out);
}

void LeaderFollowerNode::on(const AlterPartition& m, Address from, Ready& out)
{
  if (!controlled() || !controller_.active())
    return;  // the leader proposes again at its next heartbeat, to the controller it finds
  controller_.on_alter_partition(from.index, m, now_);
  publish(out);
}

// A decision older than the node's term (a later epoch reached it through an
// append) or than the last one it applied changes nothing.
void LeaderFollowerNode::apply_partition(UnitState& state, const PartitionState& decided, Ready& out)
{
  Volatile& vol = state.vol;
  const Term term = state.durable.term;
  const PartitionState& known = state.durable.known.view();
  if (decided.epoch < term ||
      (known.version != 0 && std::pair(decided.epoch, decided.version) <= std::pair(known.epoch, known.version)))
    return;
  state.durable.known = decided;
  ++out.persist;
  if (decided.leader == self_ && (vol.role != ReplicaRole::leader || decided.epoch > term)) {
    lead_epoch(state, decided.epoch, out);
  } else if (decided.leader == self_) {
    adopt_isr(state);  // an ISR change of this epoch
    acknowledge_committed(state, out);
  } else if (decided.epoch > term || vol.role == ReplicaRole::leader) {
    become_follower(state, decided.epoch, decided.leader, out);
  } else {
    vol.leader = decided.leader;
  }
}

// Leads `epoch`: a leader of an earlier epoch steps down first (its pending
// writes fail, naming itself), then takes the lead with the controller's ISR
// and opens the epoch with a no-op.
void LeaderFollowerNode::lead_epoch(UnitState& state, Term epoch, Ready& out)
{
  become_follower(state, epoch, self_, out);
  take_lead(state, out);
  adopt_isr(state);
  start_writing(state, out);
}

void LeaderFollowerNode::adopt_isr(UnitState& state)
{
  const auto set = placement_.replicas(state.id);
  const auto& isr = state.durable.known->isr;
  auto& replicas = state.vol.lead->replicas;
  for (std::size_t i = 0; i < set.size(); ++i)
    replicas[i].in_sync = set[i] == self_ || std::find(isr.begin(), isr.end(), set[i]) != isr.end();
}

// Kafka's ISR rule, replica.lag.time.max.ms: a follower stays in sync while
// it has answered within replica_lag_max; one out rejoins once it holds the
// high watermark (record_progress). Proposed at every heartbeat until the
// controller's state matches, which also retries a proposal lost with a
// controller that crashed.
void LeaderFollowerNode::propose_isr(const std::vector<UnitId>& led, Ready& out)
{
  AlterPartition m;
  for (UnitId unit : led) {
    const UnitState& state = units_.at(unit);
    const auto& replicas = state.vol.lead->replicas;
    const auto set = placement_.replicas(unit);
    std::vector<NodeId> isr;
    for (std::size_t i = 0; i < set.size(); ++i)
      if (set[i] == self_ || (replicas[i].in_sync && replicas[i].heard_within(failover_.replica_lag_max, now_)))
        isr.push_back(set[i]);
    const PartitionState& known = state.durable.known.view();
    if (isr != known.isr)
      m.proposals.push_back(PartitionState{unit, self_, state.durable.term, known.version, std::move(isr)});
  }
  if (m.proposals.empty())
    return;
  if (controller_.active()) {
    controller_.on_alter_partition(self_, m, now_);
    publish(out);
  } else {
    out.send(self(), Address::node(finder_.controller()), std::move(m));
  }
}

}  // namespace replisim
