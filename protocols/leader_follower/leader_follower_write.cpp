// A client's requests and a leader's log: appending a write, sending it to
// the replicas, counting their acks and answering the client once the
// policy's commit rule allows; and what every replica does to its log and
// data (apply, truncate, compact).
#include <algorithm>

#include "protocols/leader_follower/leader_follower.hpp"

namespace replisim {

void LeaderFollowerNode::on(const ClientWrite& m, Address from, Time /*now*/, Ready& out)
{
  UnitState* state = find_unit(placement_.unit_of(m.key));
  const bool leads = state != nullptr && state->vol.role == ReplicaRole::leader;
  if (!leads || !state->vol.lead->writable) {
    const NodeId hint = state != nullptr && !leads ? policy_->redirect_to(*state) : kNoNode;
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

// A client driver's check (MongoDB's hello, a Kafka metadata request): this
// replica leads the unit and takes writes, at its term. A leader still
// catching up answers that it does not (hello's isWritablePrimary is false
// until a new primary has caught up and drained).
void LeaderFollowerNode::on(const LeaderQuery& m, Address from, Time /*now*/, Ready& out)
{
  const UnitState* state = find_unit(m.unit);
  const bool leads = state != nullptr && state->vol.role == ReplicaRole::leader && state->vol.lead->writable;
  out.send(self(), from, LeaderInfo{m.unit, leads, state != nullptr ? state->durable.term : 0});
}

void LeaderFollowerNode::on(const Replicate& m, Address from, Time /*now*/, Ready& out)
{
  if (UnitState* state = find_unit(m.unit)) {
    policy_->on_append(*state, m, from, out);
    learn_visible(*state, m.visible);
  }
}

void LeaderFollowerNode::on(const ReplicateAck& m, Address from, Time /*now*/, Ready& out)
{
  if (UnitState* state = find_unit(m.unit))
    on_leader_ack(*state, m, from.index, out);
}

void LeaderFollowerNode::apply(UnitState& state, const LogEntry& entry)
{
  state.durable.log.push_back(entry);
  if (entry.is_noop())
    return;
  HeldWrite& held = data_[entry.key];
  if (entry.version >= held.version)
    held = {entry.version, entry.op, entry.term, last_index(state.durable.log)};
}

void LeaderFollowerNode::apply_replicated(UnitState& state, const LogEntry& entry, Ready& out)
{
  apply(state, entry);
  counters_.writes_replicated += entry.is_noop() ? 0 : 1;  // a linearizable read's no-op is no write
  ++out.persist;
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
                     e.op, e.term, log.compacted(), state.vol.visible});
}

// A replica holds the leader's log up to `match`. One that has everything
// sent while the leader has more (a catch-up in progress) gets the next
// batch; one out of the in-sync set may rejoin it.
void LeaderFollowerNode::record_progress(UnitState& state, int replica, LogIndex match, Ready& out)
{
  Progress& p = state.vol.lead->replicas[static_cast<std::size_t>(replica)];
  p.acknowledged(match);
  if (p.wants_more(last_index(state.durable.log)))
    send_batch(state, replica, out);
  p.rejoin_if_holds(policy_->rejoin_index(state));
  acknowledge_committed(state, out);
}

void LeaderFollowerNode::acknowledge_committed(UnitState& state, Ready& out)
{
  Leading& lead = state.vol.lead.get();
  state.vol.commit = policy_->commit_index(state);
  leader_visible(state);
  compact(state, compactable(match_indexes(lead.replicas), state.vol.commit));
  const LogIndex acknowledged = policy_->acknowledgeable(state);
  const bool fail = policy_->fails_held_writes(lead);
  auto& pending = lead.pending;
  while (!pending.empty() && pending.front().index <= acknowledged) {
    const PendingWrite& w = pending.front();
    const int holders = count_holding(lead.replicas, w.index);
    const Term term = state.durable.term;  // a leader appends and acknowledges its writes in its own term
    out.send(self(), w.client,
             fail ? WriteReply{w.op, false, 0, 0} : WriteReply{w.op, true, w.version, holders, now_, kNoNode, term});
    pending.pop_front();
  }
  answer_reads(state, out);
}

// Removes the entries from `from` on; every key they wrote goes back to the
// newest write the remaining log holds (the log is the source of truth).
void LeaderFollowerNode::truncate(UnitState& state, LogIndex from)
{
  const Log& log = state.durable.log;
  for (LogIndex i = std::max(from, log.first_index()); i <= last_index(log); ++i)
    if (log.at(i).op != 0)
      truncated_ops_.push_back(log.at(i).op);
  const std::vector<Key> keys = truncate_from(state.durable.log, from);
  for (Key key : keys) {
    const HeldWrite held = held_in_log(state, key, last_index(state.durable.log));
    if (held.version == 0)
      data_.erase(key);
    else
      data_[key] = held;
  }
  unapply_visible(state, from, keys);
}

// Discards the entries up to `through`, no further than this replica's
// commit index. Amortised O(1) per entry (Log::compact).
void LeaderFollowerNode::compact(UnitState& state, LogIndex through)
{
  Log& log = state.durable.log;
  through = std::min({through, state.vol.commit, last_index(log)});
  if (!compact_logs_ || through <= log.compacted())
    return;
  // What every replica holds committed is visible everywhere: the snapshot
  // takes it before the log lets it go.
  set_visible(state, through);
  if (!discarded_versions_) {
    log.compact(through);  // nothing is ever truncated: the versions are not needed
    return;
  }
  log.compact(through, [this](LogIndex index, const LogEntry& e) {
    if (!e.is_noop()) {
      HeldWrite& held = (*discarded_versions_)[e.key];
      if (e.version >= held.version)
        held = {e.version, e.op, e.term, index};
    }
  });
}

}  // namespace replisim
