#include "protocols/leader_follower.hpp"

#include <algorithm>
#include <stdexcept>

namespace replisim {

LeaderFollowerNode::LeaderFollowerNode(NodeId self, const Placement& placement, WriteConcern concern,
                                       int min_insync)
    : self_(self), placement_(placement), concern_(concern), min_insync_(min_insync)
{
  for (UnitId unit = 0; unit < placement.unit_count(); ++unit) {
    if (!placement.is_replica(unit, self))
      continue;
    UnitState& state = units_[unit];
    state.durable.leader = placement.primary(unit);
    if (state.durable.leader == self)
      state.vol.match.assign(placement.replicas(unit).size(), 0);
  }
}

Ready LeaderFollowerNode::step(const Envelope& in, Time now)
{
  Ready out;
  now_ = now;
  std::visit([&](const auto& m) { on(m, in.from, out); }, in.message);
  return out;
}

LeaderFollowerNode::UnitState* LeaderFollowerNode::unit_state(UnitId unit)
{
  auto it = units_.find(unit);
  return it == units_.end() ? nullptr : &it->second;
}

const LeaderFollowerNode::UnitState& LeaderFollowerNode::unit_state_or_throw(UnitId unit) const
{
  auto it = units_.find(unit);
  if (it == units_.end())
    throw std::out_of_range("node is not a replica of this unit");
  return it->second;
}

Version LeaderFollowerNode::version_of(Key key) const
{
  auto it = data_.find(key);
  return it == data_.end() ? 0 : it->second;
}

NodeId LeaderFollowerNode::leader_of(UnitId unit) const { return unit_state_or_throw(unit).durable.leader; }
Term LeaderFollowerNode::term_of(UnitId unit) const { return unit_state_or_throw(unit).durable.term; }
LogIndex LeaderFollowerNode::applied_index(UnitId unit) const { return unit_state_or_throw(unit).durable.log.size(); }
const std::vector<LogEntry>& LeaderFollowerNode::log_of(UnitId unit) const { return unit_state_or_throw(unit).durable.log; }

void LeaderFollowerNode::apply(UnitState& unit, const LogEntry& entry)
{
  unit.durable.log.push_back(entry);
  Version& held = data_[entry.key];
  held = std::max(held, entry.version);
}

void LeaderFollowerNode::on(const ClientWrite& m, Address from, Ready& out)
{
  const UnitId unit = placement_.unit_of(m.key);
  UnitState* state = unit_state(unit);
  const auto in_sync = static_cast<int>(placement_.replicas(unit).size());
  const bool not_enough_replicas = concern_ == WriteConcern::all && in_sync < min_insync_;
  if (state == nullptr || state->durable.leader != self_ || not_enough_replicas) {
    out.send(self(), from, WriteReply{m.op, false, 0, 0});
    return;
  }
  ++counters_.writes_led;
  const LogEntry entry{state->durable.term, m.key, version_of(m.key) + 1};
  apply(*state, entry);
  ++out.persist;
  const LogIndex index = state->durable.log.size();
  state->vol.match.front() = index;  // the leader is first in its replica set
  state->vol.pending.push_back({index, from, m.op, entry.version});
  for (NodeId replica : placement_.replicas(unit))
    if (replica != self_)
      out.send(self(), Address::node(replica), Replicate{entry.term, unit, index, entry.key, entry.version});
  acknowledge_committed(*state, out);
}

void LeaderFollowerNode::on(const ClientRead& m, Address from, Ready& out)
{
  const bool holds = unit_state(placement_.unit_of(m.key)) != nullptr;
  out.send(self(), from, ReadReply{m.op, holds, holds ? version_of(m.key) : 0});
}

void LeaderFollowerNode::on(const Replicate& m, Address from, Ready& out)
{
  UnitState* state = unit_state(m.unit);
  if (state == nullptr || m.term < state->durable.term)
    return;  // not ours, or from a deposed leader
  if (m.term > state->durable.term) {
    state->durable.term = m.term;
    state->durable.leader = from.index;
  }
  auto& early = state->vol.early;
  if (m.index > state->durable.log.size() + 1) {
    early.emplace(m.index, m);  // wait for the gap: entries apply in log order
  } else if (m.index == state->durable.log.size() + 1) {
    apply(*state, {m.term, m.key, m.version});
    ++counters_.writes_replicated;
    ++out.persist;
    for (auto it = early.begin(); it != early.end() && it->first == state->durable.log.size() + 1;
         it = early.erase(it)) {
      apply(*state, {it->second.term, it->second.key, it->second.version});
      ++counters_.writes_replicated;
      ++out.persist;
    }
  }
  // Acknowledge even a duplicate: the leader may have lost the earlier ack.
  out.send(self(), from, ReplicateAck{state->durable.term, m.unit, state->durable.log.size()});
}

void LeaderFollowerNode::on(const ReplicateAck& m, Address from, Ready& out)
{
  UnitState* state = unit_state(m.unit);
  if (state == nullptr || state->durable.leader != self_ || m.term != state->durable.term)
    return;
  const auto set = placement_.replicas(m.unit);
  const auto pos = std::find(set.begin(), set.end(), from.index) - set.begin();
  if (pos == static_cast<std::ptrdiff_t>(set.size()))
    return;
  LogIndex& match = state->vol.match[static_cast<std::size_t>(pos)];
  match = std::max(match, m.match_index);
  acknowledge_committed(*state, out);
}

void LeaderFollowerNode::acknowledge_committed(UnitState& state, Ready& out)
{
  const auto& match = state.vol.match;
  const int needed = acks_needed(concern_, static_cast<int>(match.size()));
  const LogIndex committed = quorum_index(match, needed);
  auto& pending = state.vol.pending;
  while (!pending.empty() && pending.front().index <= committed) {
    const PendingWrite& w = pending.front();
    const auto holders = std::count_if(match.begin(), match.end(), [&](LogIndex i) { return i >= w.index; });
    out.send(self(), w.client, WriteReply{w.op, true, w.version, static_cast<int>(holders), now_});
    pending.pop_front();
  }
}

}  // namespace replisim
