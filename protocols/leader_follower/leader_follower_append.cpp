// Raft's log replication with failover on (Ongaro and Ousterhout, USENIX ATC
// 2014, §5.3): appends checked against the previous entry, conflicting
// suffixes truncated, refusals answered by backing up next_index and resending;
// batched heartbeats; the in-sync set of acks=all; MongoDB's catch-up.
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
                      .last_index = last_index(state.durable.log)};
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

// Removes the entries from `from` on; every key they wrote goes back to the
// newest version the remaining log holds (the log is the source of truth).
void LeaderFollowerNode::truncate(UnitState& state, LogIndex from)
{
  for (Key key : truncate_from(state.durable.log, from)) {
    Version held = latest_version(state.durable.log, key);
    if (auto it = discarded_versions_.find(key); it != discarded_versions_.end())
      held = std::max(held, it->second);
    if (held == 0)
      data_.erase(key);
    else
      data_[key] = held;
  }
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
  compact(state, m.compacted);
  return ack_of(state);
}

void LeaderFollowerNode::on(const Heartbeat& m, Address from, Ready& out)
{
  if (!elections())
    return;
  HeartbeatReply reply;
  for (const EmptyAppend& append : m.appends)
    if (UnitState* state = unit_state(append.unit))
      reply.acks.push_back(follow_empty_append(*state, append, from.index, out));
  if (!reply.acks.empty())
    out.send(self(), from, std::move(reply));
}

void LeaderFollowerNode::on(const HeartbeatReply& m, Address from, Ready& out)
{
  if (!elections())
    return;
  for (const ReplicateAck& ack : m.acks)
    if (UnitState* state = unit_state(ack.unit))
      on_leader_ack(*state, ack, from.index, out);
}

void LeaderFollowerNode::on_leader_ack(UnitState& state, const ReplicateAck& m, NodeId from, Ready& out)
{
  if (m.term > state.durable.term) {
    become_follower(state, m.term, kNoNode, out);
    return;
  }
  const int replica = position(state.id, from);
  if (state.vol.role != ReplicaRole::leader || m.term != state.durable.term || replica < 0)
    return;
  state.vol.lead->replicas[static_cast<std::size_t>(replica)].last_heard = now_;
  if (m.success)
    record_progress(state, replica, m.match_index, out);
  else
    back_up(state, replica, m.rejected, m.hint, out);
  note_catch_up_report(state, replica, m.last_index, out);
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

// MongoDB's catch-up: the leader takes writes once a majority (itself
// included) has told it its last index and none of them is ahead; if one is,
// once that replica has answered one more heartbeat (the time a fetch of the
// missing entries would take; the entries themselves are not copied).
void LeaderFollowerNode::note_catch_up_report(UnitState& state, int replica, LogIndex last, Ready& out)
{
  Leading& lead = state.vol.lead.get();
  if (state.vol.role != ReplicaRole::leader || lead.writable)
    return;
  if (lead.fetch_from == kNoNode) {
    lead.replicas[static_cast<std::size_t>(replica)].reported = last;
    finish_catch_up_if_heard(state, out);
  } else if (placement_.replicas(state.id)[static_cast<std::size_t>(replica)] == lead.fetch_from) {
    start_writing(state, out);
  }
}

void LeaderFollowerNode::finish_catch_up_if_heard(UnitState& state, Ready& out)
{
  Leading& lead = state.vol.lead.get();
  const auto& replicas = lead.replicas;
  const auto reported = [](const Progress& p) { return p.has_reported(); };
  if (std::count_if(replicas.begin(), replicas.end(), reported) < majority(replica_count(state.id)))
    return;
  std::size_t ahead = 0;
  for (std::size_t i = 0; i < replicas.size(); ++i)
    if (reported(replicas[i]) && (!reported(replicas[ahead]) || replicas[i].reported > replicas[ahead].reported))
      ahead = i;
  if (replicas[ahead].reported <= last_index(state.durable.log)) {
    start_writing(state, out);
    return;
  }
  lead.fetch_from = placement_.replicas(state.id)[ahead];
  lead.fetch_sent = now_;
  send_heartbeats({state.id}, out);  // only the replica ahead is waited for
}

// MongoDB waits for the replica ahead up to catchUpTimeoutMillis (unbounded
// by default); here for one heartbeat interval, so that a replica that
// crashed after reporting cannot keep the unit without a writable leader.
void LeaderFollowerNode::give_up_catch_up(UnitState& state, Ready& out)
{
  const Leading& lead = state.vol.lead.view();
  if (!lead.writable && lead.fetch_from != kNoNode && now_ - lead.fetch_sent >= failover_.heartbeat_interval)
    start_writing(state, out);
}

// The leader takes writes from now: its term opens with a no-op entry (§8),
// so that entries of earlier terms commit with it.
void LeaderFollowerNode::start_writing(UnitState& state, Ready& out)
{
  state.vol.lead->writable = true;
  state.vol.lead->fetch_from = kNoNode;
  append(state, LogEntry{state.durable.term, 0, 0, 0}, out);
  state.vol.lead->term_start = last_index(state.durable.log);
  acknowledge_committed(state, out);
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
    expire_in_sync(state, out);
    give_up_catch_up(state, out);
    led.push_back(unit);
  }
  send_heartbeats(led, out);
  if (controlled())
    propose_isr(led, out);
}

// One Heartbeat per follower node, covering every unit of `units` (all led
// by this node) it replicates; each EmptyAppend asserts the entry before the
// follower's next_index (§5.3), so a follower behind refuses it.
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
      const LogIndex prev = replicas[i].next - 1;
      batches[set[i]].appends.push_back(
          EmptyAppend{state.durable.term, unit, prev, term_at(state.durable.log, prev), state.vol.commit,
                      state.durable.log.compacted()});
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
  heartbeat_armed_ = now_ + failover_.heartbeat_interval;
  out.set_timer(kHeartbeatTimer, heartbeat_armed_);
}

// Kafka's ISR: a follower not heard from for replica_lag_max leaves it, which
// may let acks=all writes waiting for it be acknowledged.
// With a controller the leader only proposes it (propose_isr).
void LeaderFollowerNode::expire_in_sync(UnitState& state, Ready& out)
{
  if (controlled())
    return;
  auto& replicas = state.vol.lead->replicas;
  bool shrank = false;
  for (std::size_t i = 0; i < replicas.size(); ++i) {
    if (placement_.replicas(state.id)[i] == self_ || !replicas[i].in_sync)
      continue;
    if (!replicas[i].heard_within(failover_.replica_lag_max, now_)) {
      replicas[i].in_sync = false;
      shrank = true;
    }
  }
  if (shrank)
    acknowledge_committed(state, out);
}

}  // namespace replisim
