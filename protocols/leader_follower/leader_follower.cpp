// The node's state, its accessors, the client's requests, and replication
// under a fixed leader (failover off). Elections are in
// leader_follower_election.cpp, Raft's appends in leader_follower_append.cpp.
#include "protocols/leader_follower/leader_follower.hpp"

#include <algorithm>
#include <stdexcept>

namespace replisim {

LeaderFollowerNode::LeaderFollowerNode(NodeId self, const Placement& placement, WriteConcern concern,
                                       int min_insync, FailoverConfig failover, bool compact_logs)
    : self_(self), placement_(placement), concern_(concern), min_insync_(min_insync), failover_(failover),
      compact_logs_(compact_logs),
      rng_(derive_seed(failover.seed, static_cast<std::uint64_t>(self))),
      controller_(self, placement, failover.controller),
      finder_(self, placement.node_count(), failover.controller.broker_session_timeout)
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
    set_fixed_roles(state);
  }
}

// Term 1 as placed: the primary leads, every other replica follows it.
void LeaderFollowerNode::set_fixed_roles(UnitState& state)
{
  const NodeId primary = placement_.primary(state.id);
  state.vol.role = primary == self_ ? ReplicaRole::leader : ReplicaRole::follower;
  state.vol.leader = primary;
  if (primary == self_)
    init_leading(state);
}

void LeaderFollowerNode::init_leading(UnitState& state)
{
  const LogIndex last = last_index(state.durable.log);
  Leading& lead = state.vol.lead.get();
  lead = Leading{};
  lead.replicas.assign(static_cast<std::size_t>(replica_count(state.id)), Progress::of_follower(last, now_));
  lead.replicas[static_cast<std::size_t>(position(state.id, self_))] = Progress::of_leader(last, now_);
}

// With failover the primaries lead term 1 from the start, as without: they
// announce it with their first heartbeats, and every follower arms its
// election timer.
Ready LeaderFollowerNode::start(Time now)
{
  Ready out;
  now_ = now;
  if (!elections())
    return out;
  std::vector<UnitId> led;
  for (UnitId unit : my_units_) {
    UnitState& state = units_.at(unit);
    if (state.vol.role == ReplicaRole::leader) {
      take_lead(state, out);
      led.push_back(unit);
    } else {
      reset_election_deadline(state, out);
    }
  }
  send_heartbeats(led, out);
  if (controlled())
    start_controlled(out);
  return out;
}

Ready LeaderFollowerNode::step(const Envelope& in, Time now)
{
  Ready out;
  now_ = now;
  std::visit([&](const auto& m) { on(m, in.from, out); }, in.message);
  return out;
}

Ready LeaderFollowerNode::on_timer(TimerId id, Time now)
{
  Ready out;
  now_ = now;
  if (!elections())
    return out;
  if (id == kHeartbeatTimer) {
    heartbeat_tick(out);
  } else if (id == kBrokerTimer) {
    broker_tick(out);
  } else if (id == kControllerTimer) {
    controller_tick(out);
  } else if (UnitState* state = unit_state(static_cast<UnitId>(id))) {
    on_election_timer(*state, out);
  }
  return out;
}

void LeaderFollowerNode::crash(Time now)
{
  now_ = now;
  for (auto& [unit, state] : units_)
    state.vol = Volatile{};
  heartbeat_armed_ = kNever;
  controller_.stop();
  broker_armed_ = kNever;
  controller_armed_ = kNever;
}

Ready LeaderFollowerNode::recover(Time now)
{
  Ready out;
  now_ = now;
  if (controlled()) {
    recover_controlled(out);
    return out;
  }
  for (UnitId unit : my_units_) {
    UnitState& state = units_.at(unit);
    state.vol = Volatile{};
    if (elections())
      reset_election_deadline(state, out);
    else
      set_fixed_roles(state);
  }
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

int LeaderFollowerNode::position(UnitId unit, NodeId node) const
{
  const auto set = placement_.replicas(unit);
  const auto it = std::find(set.begin(), set.end(), node);
  return it == set.end() ? -1 : static_cast<int>(it - set.begin());
}

Version LeaderFollowerNode::version_of(Key key) const
{
  auto it = data_.find(key);
  return it == data_.end() ? 0 : it->second;
}

NodeId LeaderFollowerNode::leader_of(UnitId unit) const { return unit_state_or_throw(unit).vol.leader; }
ReplicaRole LeaderFollowerNode::role_of(UnitId unit) const { return unit_state_or_throw(unit).vol.role; }
Term LeaderFollowerNode::term_of(UnitId unit) const { return unit_state_or_throw(unit).durable.term; }
NodeId LeaderFollowerNode::voted_for(UnitId unit) const { return unit_state_or_throw(unit).durable.voted_for; }
const Log& LeaderFollowerNode::log_of(UnitId unit) const { return unit_state_or_throw(unit).durable.log; }
LogIndex LeaderFollowerNode::commit_index(UnitId unit) const { return unit_state_or_throw(unit).vol.commit; }
LogIndex LeaderFollowerNode::last_applied(UnitId unit) const { return last_index(unit_state_or_throw(unit).durable.log); }
Time LeaderFollowerNode::election_deadline(UnitId unit) const { return unit_state_or_throw(unit).vol.election_deadline; }

bool LeaderFollowerNode::accepting_writes(UnitId unit) const
{
  const Volatile& vol = unit_state_or_throw(unit).vol;
  return vol.role == ReplicaRole::leader && vol.lead->writable;
}

const Progress* LeaderFollowerNode::progress_of(UnitId unit, NodeId replica) const
{
  const Volatile& vol = unit_state_or_throw(unit).vol;
  const int i = position(unit, replica);
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

void LeaderFollowerNode::apply(UnitState& state, const LogEntry& entry)
{
  state.durable.log.push_back(entry);
  if (entry.is_noop())
    return;
  Version& held = data_[entry.key];
  held = std::max(held, entry.version);
}

// The leader appends an entry of its term and sends it to every replica that
// is up to date; one still catching up gets it in a later batch.
void LeaderFollowerNode::append(UnitState& state, const LogEntry& entry, Ready& out)
{
  apply(state, entry);
  ++out.persist;
  const LogIndex index = last_index(state.durable.log);
  auto& replicas = state.vol.lead->replicas;
  const auto set = placement_.replicas(state.id);
  for (std::size_t i = 0; i < set.size(); ++i) {
    if (set[i] == self_) {
      replicas[i].match = index;
    } else if (replicas[i].next == index) {
      send_entry(state, set[i], index, out);
      replicas[i].next = index + 1;
    }
  }
}

void LeaderFollowerNode::send_entry(const UnitState& state, NodeId to, LogIndex index, Ready& out) const
{
  const Log& log = state.durable.log;
  const LogEntry& e = log.at(index);
  out.send(self(), Address::node(to),
           Replicate{state.durable.term, state.id, index, e.key, e.version, term_at(log, index - 1), state.vol.commit,
                     e.op, e.term, log.compacted()});
}

void LeaderFollowerNode::on(const ClientWrite& m, Address from, Ready& out)
{
  UnitState* state = unit_state(placement_.unit_of(m.key));
  const bool leads = state != nullptr && state->vol.role == ReplicaRole::leader;
  if (!leads || !state->vol.lead->writable) {
    // Without failover a refusal names no one, as before elections existed.
    const NodeId hint = elections() && state != nullptr && !leads ? state->vol.leader : kNoNode;
    out.send(self(), from, WriteReply{m.op, false, 0, 0, -1, hint});
    return;
  }
  if (concern_ == WriteConcern::all && count_in_sync(state->vol.lead->replicas) < min_insync_) {
    out.send(self(), from, WriteReply{m.op, false, 0, 0});
    return;
  }
  ++counters_.writes_led;
  const LogEntry entry{state->durable.term, m.key, version_of(m.key) + 1, m.op};
  append(*state, entry, out);
  state->vol.lead->pending.push_back({last_index(state->durable.log), from, m.op, entry.version});
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
  if (state == nullptr)
    return;
  if (elections())
    follow_append(*state, m, from, out);
  else
    follow_fixed_leader(*state, m, from, out);
}

// Failover off: one leader per unit for the whole run, so logs cannot
// diverge and a follower only has to apply entries in order.
void LeaderFollowerNode::follow_fixed_leader(UnitState& state, const Replicate& m, Address from, Ready& out)
{
  Log& log = state.durable.log;
  if (m.term < state.durable.term)
    return;  // from a deposed leader
  if (m.term > state.durable.term) {
    state.durable.term = m.term;
    state.vol.leader = from.index;
  }
  auto& early = state.vol.early;
  if (m.index > last_index(log) + 1) {
    early.emplace(m.index, m);  // wait for the gap: entries apply in log order
  } else if (m.index == last_index(log) + 1) {
    apply(state, {m.term, m.key, m.version, m.op});
    ++counters_.writes_replicated;
    ++out.persist;
    for (auto it = early.begin(); it != early.end() && it->first == last_index(log) + 1; it = early.erase(it)) {
      apply(state, {it->second.term, it->second.key, it->second.version, it->second.op});
      ++counters_.writes_replicated;
      ++out.persist;
    }
  }
  state.vol.commit = std::max(state.vol.commit, std::min(m.commit, last_index(log)));
  compact(state, m.compacted);
  // Acknowledge even a duplicate: the leader may have lost the earlier ack.
  out.send(self(), from, ReplicateAck{state.durable.term, m.unit, last_index(log)});
}

void LeaderFollowerNode::on(const ReplicateAck& m, Address from, Ready& out)
{
  UnitState* state = unit_state(m.unit);
  if (state == nullptr)
    return;
  if (elections()) {
    on_leader_ack(*state, m, from.index, out);
    return;
  }
  const int replica = position(m.unit, from.index);
  if (state->vol.role != ReplicaRole::leader || m.term != state->durable.term || replica < 0)
    return;
  record_progress(*state, replica, m.match_index, out);
}

// A replica holds the leader's log up to `match`. One that has everything
// sent while the leader has more (a catch-up in progress) gets the next batch.
void LeaderFollowerNode::record_progress(UnitState& state, int replica, LogIndex match, Ready& out)
{
  Leading& lead = state.vol.lead.get();
  Progress& p = lead.replicas[static_cast<std::size_t>(replica)];
  p.acknowledged(match);
  if (p.wants_more(last_index(state.durable.log)))
    send_batch(state, replica, out);
  // Kafka: a follower back at the high watermark rejoins the ISR; with a
  // controller, also past the start of the leader's epoch (Kafka's
  // Partition.isFollowerInSync), since a leader back from a crash lost its
  // high watermark and may know it lower than the followers.
  p.rejoin_if_holds(controlled() ? std::max(state.vol.commit, lead.term_start) : state.vol.commit);
  acknowledge_committed(state, out);
}

// The highest index whose writes may be acknowledged. Without failover:
// today's rule, the write concern's count of replicas. With failover: w:1 at
// the leader's append; majority at commit (§5.4.2); all at commit and on
// every in-sync replica.
LogIndex LeaderFollowerNode::acknowledgeable(const UnitState& state) const
{
  const auto& replicas = state.vol.lead->replicas;
  if (!elections())
    return quorum_index(match_indexes(replicas), acks_needed(concern_, static_cast<int>(replicas.size())));
  switch (concern_) {
    case WriteConcern::one: return last_index(state.durable.log);
    case WriteConcern::majority: return state.vol.commit;
    case WriteConcern::all: break;
  }
  return held_by_in_sync(replicas, state.vol.commit);
}

void LeaderFollowerNode::acknowledge_committed(UnitState& state, Ready& out)
{
  Leading& lead = state.vol.lead.get();
  const std::vector<LogIndex> match = match_indexes(lead.replicas);
  state.vol.commit = controlled() ? high_watermark(match, in_sync_flags(lead.replicas), state.vol.commit)
                                  : leader_commit(match, state.durable.log, state.durable.term, state.vol.commit);
  compact(state, compactable(match, state.vol.commit));
  const LogIndex acknowledged = acknowledgeable(state);
  // Kafka's NOT_ENOUGH_REPLICAS_AFTER_APPEND: an ISR that shrank below
  // min.insync.replicas since the write was taken fails it.
  const bool too_few = controlled() && concern_ == WriteConcern::all && count_in_sync(lead.replicas) < min_insync_;
  auto& pending = lead.pending;
  while (!pending.empty() && pending.front().index <= acknowledged) {
    const PendingWrite& w = pending.front();
    const int holders = count_holding(lead.replicas, w.index);
    out.send(self(), w.client,
             too_few ? WriteReply{w.op, false, 0, 0} : WriteReply{w.op, true, w.version, holders, now_});
    pending.pop_front();
  }
}

// Discards the entries up to `through`, no further than this replica's
// commit index. Amortised O(1) per entry (Log::compact).
void LeaderFollowerNode::compact(UnitState& state, LogIndex through)
{
  Log& log = state.durable.log;
  through = std::min({through, state.vol.commit, last_index(log)});
  if (!compact_logs_ || through <= log.compacted())
    return;
  if (!elections()) {
    log.compact(through);
    return;
  }
  log.compact(through, [this](LogIndex, const LogEntry& e) {
    if (!e.is_noop()) {
      Version& v = discarded_versions_[e.key];
      v = std::max(v, e.version);
    }
  });
}

}  // namespace replisim
