// The node's state, its life cycle and its accessors. What a leader does is
// in leader_follower_write.cpp, leader_follower_append.cpp and
// leader_follower_catch_up.cpp; the changes of role in
// leader_follower_roles.cpp; who leads, in its LeadershipPolicy.
#include "protocols/leader_follower/leader_follower.hpp"

#include <stdexcept>

namespace replisim {

LeaderFollowerNode::LeaderFollowerNode(NodeId self, const Placement& placement, WriteConcern concern,
                                       int min_insync, FailoverConfig failover, bool compact_logs, ReadConcern reads)
    : self_(self), placement_(placement), concern_(concern), min_insync_(min_insync), failover_(failover),
      compact_logs_(compact_logs), reads_(reads)
{
  validate(failover_);
  // Exactly as many as the node holds: growing by doubling would leave up
  // to half of a large table unused (a 100,000-unit run holds 300,000).
  my_units_.reserve(placement.units_of(self).size());
  units_.reserve(placement.units_of(self).size());
  for (UnitId unit : placement.units_of(self)) {
    my_units_.push_back(unit);
    UnitState& state = units_[unit];
    state.id = unit;
    state.durable.voted_for = placement.primary(unit);  // term 1's leader, elected before the run
    place_roles(state);
  }
  policy_ = make_leadership_policy(*this, self, placement, concern, min_insync, failover_);
  if (policy_->leaders_change())
    discarded_versions_.emplace();
  if (reads_bounded(reads_))
    visible_data_.emplace();
}

Ready LeaderFollowerNode::start(Time now)
{
  Ready out;
  now_ = now;
  policy_->start(out);
  return out;
}

Ready LeaderFollowerNode::step(const Envelope& in, Time now)
{
  Ready out;
  now_ = now;
  // The write path's messages are the node's, those of who leads its
  // policy's; a message that is neither, nor ignored, does not compile.
  std::visit(
      [&](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (LeadershipPolicy::Messages::contains<M>)
          policy_->step(in, out);
        else if constexpr (!Ignored::contains<M>)
          on(m, in.from, now, out);
      },
      in.message);
  return out;
}

Ready LeaderFollowerNode::on_timer(TimerId id, Time now)
{
  Ready out;
  now_ = now;
  if (id == kHeartbeatTimer)
    heartbeat_tick(out);
  else
    policy_->on_timer(id, out);
  return out;
}

void LeaderFollowerNode::crash(Time now)
{
  now_ = now;
  for (auto& [unit, state] : units_)
    state.vol = Volatile{};
  heartbeat_armed_ = kNever;
  policy_->crash();
}

Ready LeaderFollowerNode::recover(Time now)
{
  Ready out;
  now_ = now;
  for (auto& [unit, state] : units_)
    state.vol = Volatile{};
  policy_->recover(out);
  return out;
}

UnitState* LeaderFollowerNode::find_unit(UnitId unit)
{
  auto it = units_.find(unit);
  return it == units_.end() ? nullptr : &it->second;
}

const UnitState& LeaderFollowerNode::unit_state_or_throw(UnitId unit) const
{
  auto it = units_.find(unit);
  if (it == units_.end())
    throw std::out_of_range("node is not a replica of this unit");
  return it->second;
}

Version LeaderFollowerNode::version_of(Key key) const { return held(key).version; }

LeaderFollowerNode::HeldWrite LeaderFollowerNode::held(Key key) const
{
  auto it = data_.find(key);
  return it == data_.end() ? HeldWrite{} : it->second;
}

LeaderFollowerNode::HeldWrite LeaderFollowerNode::visible_write(Key key) const
{
  if (!visible_data_)
    return held(key);
  auto it = visible_data_->find(key);
  return it == visible_data_->end() ? HeldWrite{} : it->second;
}

NodeId LeaderFollowerNode::leader_of(UnitId unit) const { return unit_state_or_throw(unit).vol.leader; }
ReplicaRole LeaderFollowerNode::role_of(UnitId unit) const { return unit_state_or_throw(unit).vol.role; }
Term LeaderFollowerNode::term_of(UnitId unit) const { return unit_state_or_throw(unit).durable.term; }
NodeId LeaderFollowerNode::voted_for(UnitId unit) const { return unit_state_or_throw(unit).durable.voted_for; }
const Log& LeaderFollowerNode::log_of(UnitId unit) const { return unit_state_or_throw(unit).durable.log; }
LogIndex LeaderFollowerNode::commit_index(UnitId unit) const { return unit_state_or_throw(unit).vol.commit; }
LogIndex LeaderFollowerNode::last_applied(UnitId unit) const { return last_index(unit_state_or_throw(unit).durable.log); }

Time LeaderFollowerNode::election_deadline(UnitId unit) const
{
  unit_state_or_throw(unit);
  return policy_->election_deadline(unit);
}

bool LeaderFollowerNode::accepting_writes(UnitId unit) const
{
  const Volatile& vol = unit_state_or_throw(unit).vol;
  return vol.role == ReplicaRole::leader && vol.lead->writable;
}

const Progress* LeaderFollowerNode::progress_of(UnitId unit, NodeId replica) const
{
  const Volatile& vol = unit_state_or_throw(unit).vol;
  const int i = placement_.position(unit, replica);
  return vol.role != ReplicaRole::leader || i < 0 ? nullptr : &vol.lead->replicas[static_cast<std::size_t>(i)];
}

LogIndex LeaderFollowerNode::next_index(UnitId unit, NodeId replica) const
{
  const Progress* p = progress_of(unit, replica);
  return p == nullptr ? 0 : p->next;
}

LogIndex LeaderFollowerNode::match_index(UnitId unit, NodeId replica) const
{
  const Progress* p = progress_of(unit, replica);
  return p == nullptr ? 0 : p->match;
}

bool LeaderFollowerNode::in_sync(UnitId unit, NodeId replica) const
{
  const Progress* p = progress_of(unit, replica);
  return p != nullptr && p->in_sync;
}

bool LeaderFollowerNode::is_controller() const
{
  const KafkaController* kafka = policy_->controller();
  return kafka != nullptr && kafka->active();
}

const KafkaController& LeaderFollowerNode::controller() const
{
  const KafkaController* kafka = policy_->controller();
  if (kafka == nullptr)
    throw std::logic_error("this node's leaders are not chosen by a Kafka controller");
  return *kafka;
}

}  // namespace replisim
