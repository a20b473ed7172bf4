// Raft's log replication (Ongaro and Ousterhout, USENIX ATC 2014, §5.3), for
// the policies whose leaders change: appends checked against the previous
// entry, conflicting suffixes truncated, refusals answered by backing up
// next_index and resending; heartbeats batched per pair of nodes.
#include <algorithm>
#include <map>

#include "protocols/leader_follower/leader_follower.hpp"

namespace replisim {

namespace {
Term entry_term(const Replicate& m) { return m.entry_term == 0 ? m.term : m.entry_term; }
}  // namespace

ReplicateAck LeaderFollowerNode::ack_of(const UnitState& state) const
{
  return ReplicateAck{.term = state.durable.term,
                      .unit = state.id,
                      .match_index = state.vol.verified,
                      .last_index = last_index(state.durable.log),
                      .last_term = last_term(state.durable.log)};
}

ReplicateAck LeaderFollowerNode::refusal_of(const UnitState& state, LogIndex rejected, LogIndex hint) const
{
  ReplicateAck ack = ack_of(state);
  ack.success = false;
  ack.rejected = rejected;
  ack.hint = hint;
  return ack;
}

// §5.1: "If a server receives a request with a stale term number, it rejects
// the request": the answer carries the newer term, which deposes the sender.
void LeaderFollowerNode::follow_append(UnitState& state, const Replicate& m, Address from, Ready& out)
{
  const Log& log = state.durable.log;
  if (m.term < state.durable.term) {
    out.send(self(), from, refusal_of(state, m.index - 1, last_index(log)));
    return;
  }
  if (!follow(state, m.term, from.index, out))
    return;
  const LogIndex prev = m.index - 1;
  if (prev > last_index(log)) {
    // Ahead of a gap: kept until the gap fills; a heartbeat finds any entry
    // that was lost and the leader resends it.
    state.vol.early.emplace(m.index, m);
    out.send(self(), from, ack_of(state));
    return;
  }
  if (!log_matches(log, prev, m.prev_term)) {
    out.send(self(), from, refusal_of(state, prev, rejection_hint(log, prev)));
    return;
  }
  out.persist += accept_entry(state, m.index, {entry_term(m), m.key, m.version, m.op}) ? 1 : 0;
  out.persist += drain_early(state);
  learn_commit(state, m.commit);
  compact(state, m.compacted);
  out.send(self(), from, ack_of(state));
}

// The entry at `index`, whose predecessor matches: a duplicate of one held,
// or new, replacing any conflicting suffix. Returns whether the log changed.
bool LeaderFollowerNode::accept_entry(UnitState& state, LogIndex index, const LogEntry& entry)
{
  Log& log = state.durable.log;
  state.vol.verified = std::max(state.vol.verified, index);
  if (index <= last_index(log) && term_at(log, index) == entry.term)
    return false;
  truncate(state, index);
  apply(state, entry);
  if (!entry.is_noop())
    ++counters_.writes_replicated;
  return true;
}

// Entries of this term that arrived ahead of a gap, now in order. Returns
// how many it appended.
std::uint32_t LeaderFollowerNode::drain_early(UnitState& state)
{
  auto& early = state.vol.early;
  const Log& log = state.durable.log;
  std::uint32_t appended = 0;
  while (!early.empty() && early.begin()->first <= last_index(log) + 1) {
    const Replicate m = early.begin()->second;
    early.erase(early.begin());
    if (m.index <= last_index(log) || !log_matches(log, m.index - 1, m.prev_term))
      continue;  // a duplicate of an entry since received, or no longer a match
    appended += accept_entry(state, m.index, {entry_term(m), m.key, m.version, m.op}) ? 1 : 0;
  }
  return appended;
}

// "If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of
// last new entry)": here the last entry known to match the leader's.
void LeaderFollowerNode::learn_commit(UnitState& state, LogIndex leader_commit)
{
  state.vol.commit = std::max(state.vol.commit, std::min(leader_commit, state.vol.verified));
}

ReplicateAck LeaderFollowerNode::follow_empty_append(UnitState& state, const EmptyAppend& m, NodeId from, Ready& out)
{
  const Log& log = state.durable.log;
  if (m.term < state.durable.term)
    return refusal_of(state, m.prev_index, last_index(log));
  if (!follow(state, m.term, from, out))
    return refusal_of(state, m.prev_index, 0);
  if (!log_matches(log, m.prev_index, m.prev_term))
    return refusal_of(state, m.prev_index, rejection_hint(log, m.prev_index));
  state.vol.verified = std::max(state.vol.verified, m.prev_index);
  learn_commit(state, m.commit);
  learn_visible(state, m.visible);
  compact(state, m.compacted);
  policy_->on_leader_catching_up(state, m, out);
  return ack_of(state);
}

void LeaderFollowerNode::on(const Heartbeat& m, Address from, Time /*now*/, Ready& out)
{
  HeartbeatReply reply;
  for (const EmptyAppend& append : m.appends)
    if (UnitState* state = find_unit(append.unit))
      reply.acks.push_back(follow_empty_append(*state, append, from.index, out));
  if (!reply.acks.empty())
    out.send(self(), from, std::move(reply));
}

void LeaderFollowerNode::on(const HeartbeatReply& m, Address from, Time /*now*/, Ready& out)
{
  for (const ReplicateAck& ack : m.acks)
    if (UnitState* state = find_unit(ack.unit))
      on_leader_ack(*state, ack, from.index, out);
}

void LeaderFollowerNode::on_leader_ack(UnitState& state, const ReplicateAck& m, NodeId from, Ready& out)
{
  if (m.term > state.durable.term) {
    policy_->on_newer_term(state, m.term, out);
    return;
  }
  const int replica = placement_.position(state.id, from);
  if (state.vol.role != ReplicaRole::leader || m.term != state.durable.term || replica < 0)
    return;
  state.vol.lead->replicas[static_cast<std::size_t>(replica)].last_heard = now_;
  if (m.success)
    record_progress(state, replica, m.match_index, out);
  else
    back_up(state, replica, m.rejected, m.hint, out);
  note_catch_up_report(state, replica, m, out);
}

// §5.3: "After a rejection, the leader decrements nextIndex and retries the
// AppendEntries RPC", here straight to the follower's hint, and then one
// entry at a time until one matches (Progress::back_up).
void LeaderFollowerNode::back_up(UnitState& state, int replica, LogIndex rejected, LogIndex hint, Ready& out)
{
  const auto i = static_cast<std::size_t>(replica);
  Progress& p = state.vol.lead->replicas[i];
  if (p.back_up(rejected, hint, state.durable.log.first_index()) && p.next <= last_index(state.durable.log))
    send_entry(state, placement_.replicas(state.id)[i], p.next, out);
}

void LeaderFollowerNode::send_batch(UnitState& state, int replica, Ready& out)
{
  const auto i = static_cast<std::size_t>(replica);
  Progress& p = state.vol.lead->replicas[i];
  const NodeId to = placement_.replicas(state.id)[i];
  const LogIndex end = std::min(last_index(state.durable.log), p.next + kCatchUpBatch - 1);
  for (; p.next <= end; ++p.next)
    send_entry(state, to, p.next, out);
}

void LeaderFollowerNode::heartbeat_tick(Ready& out)
{
  if (now_ < heartbeat_armed_)
    return;  // a timer superseded since (the fake network keeps them all)
  heartbeat_armed_ = kNever;
  std::vector<UnitId> led;
  for (UnitId unit : my_units_) {
    UnitState& state = units_.at(unit);
    if (state.vol.role != ReplicaRole::leader)
      continue;
    policy_->before_heartbeat(state, out);
    if (state.vol.role != ReplicaRole::leader)
      continue;  // it stepped down
    give_up_catch_up(state, out);
    led.push_back(unit);
  }
  send_heartbeats(led, out);
  policy_->after_heartbeats(led, out);
}

// Each EmptyAppend asserts the entry before the follower's next_index
// (§5.3), so a follower behind refuses it. A leader still catching up
// asserts nothing (index 0): its log may yet change below its end, and a
// follower must not count as matching entries the leader then replaces.
void LeaderFollowerNode::send_heartbeats(const std::vector<UnitId>& units, Ready& out)
{
  std::map<NodeId, Heartbeat> batches;
  for (UnitId unit : units) {
    const UnitState& state = units_.at(unit);
    const auto& replicas = state.vol.lead->replicas;
    const auto set = placement_.replicas(unit);
    for (std::size_t i = 0; i < set.size(); ++i) {
      if (set[i] == self_)
        continue;
      const LogIndex prev = state.vol.lead.view().writable ? replicas[i].next - 1 : 0;
      EmptyAppend append{state.durable.term, unit, prev, term_at(state.durable.log, prev), state.vol.commit,
                         state.durable.log.compacted(), state.vol.visible};
      if (!state.vol.lead.view().writable) {
        append.catching_up = true;
        append.leader_last_index = last_index(state.durable.log);
        append.leader_last_term = last_term(state.durable.log);
      }
      batches[set[i]].appends.push_back(append);
    }
  }
  for (auto& [node, heartbeat] : batches)
    out.send(self(), Address::node(node), std::move(heartbeat));
  if (!units.empty())
    arm_heartbeat(out);
}

void LeaderFollowerNode::arm_heartbeat(Ready& out)
{
  if (heartbeat_armed_ != kNever)
    return;
  heartbeat_armed_ = policy_->next_heartbeat(now_, failover_.heartbeat_interval);
  out.set_timer(kHeartbeatTimer, heartbeat_armed_);
}

}  // namespace replisim
