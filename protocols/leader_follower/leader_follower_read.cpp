// A client's reads, under the node's read concern (read_concern.hpp), and
// the snapshot of the writes the bounded concerns may return: per key, the
// newest write up to the unit's visible index, applied as that index moves
// (the commit index for MongoDB's majority and linearizable reads, the high
// watermark for Kafka's).
#include <algorithm>

#include "protocols/leader_follower/leader_follower.hpp"
#include "protocols/raft/raft_log.hpp"

namespace replisim {

ReadReply LeaderFollowerNode::reply_of(const ClientRead& m, const UnitState& /*state*/, const HeldWrite& w,
                                       bool committed) const
{
  return ReadReply{m.op, true, w.version, w.version == 0 ? std::nullopt : std::optional<OpId>(w.op), w.term,
                   committed};
}

void LeaderFollowerNode::on(const ClientRead& m, Address from, Time /*now*/, Ready& out)
{
  UnitState* state = find_unit(placement_.unit_of(m.key));
  if (state == nullptr) {
    out.send(self(), from, ReadReply{m.op, false, 0});
    return;
  }
  switch (reads_) {
    case ReadConcern::local: {
      // The replica's latest, which it knows committed up to its commit
      // index (and the entries every replica holds, which it discarded).
      const HeldWrite w = held(m.key);
      const LogIndex known = std::max(state->vol.commit, state->durable.log.compacted());
      out.send(self(), from, reply_of(m, *state, w, w.version == 0 || w.index <= known));
      return;
    }
    case ReadConcern::majority:
    case ReadConcern::high_watermark: out.send(self(), from, reply_of(m, *state, visible_write(m.key), true)); return;
    case ReadConcern::linearizable: start_linearizable_read(*state, m, from, out); return;
  }
}

// MongoDB: before answering a linearizable read the primary majority-commits
// a no-op, which confirms it is still the primary, then reads the
// majority-committed snapshot. Only the writable leader serves it; any other node refuses it,
// naming nothing (the client's router decides where it goes next).
void LeaderFollowerNode::start_linearizable_read(UnitState& state, const ClientRead& m, Address from, Ready& out)
{
  if (state.vol.role != ReplicaRole::leader || !state.vol.lead->writable) {
    out.send(self(), from, ReadReply{m.op, false, 0});
    return;
  }
  append(state, LogEntry{state.durable.term, 0, 0, 0}, out);
  state.vol.lead->reads.push_back({last_index(state.durable.log), from, m.op, m.key});
  acknowledge_committed(state, out);
}

// The linearizable reads whose no-op committed; the leader's snapshot now
// holds every write committed before it.
void LeaderFollowerNode::answer_reads(UnitState& state, Ready& out)
{
  auto& reads = state.vol.lead->reads;
  while (!reads.empty() && reads.front().index <= state.durable.visible_applied) {
    const PendingRead& r = reads.front();
    out.send(self(), r.client, reply_of(ClientRead{r.op, r.key}, state, visible_write(r.key), true));
    reads.pop_front();
  }
}

// The leader's visible index: its commit index, or for Kafka the high
// watermark, the highest offset every in-sync replica holds (under a
// controller the commit index is that mark already).
void LeaderFollowerNode::leader_visible(UnitState& state)
{
  if (!visible_data_)
    return;
  LogIndex visible = state.vol.commit;
  if (reads_ == ReadConcern::high_watermark) {
    const auto& replicas = state.vol.lead->replicas;
    visible = std::min(visible, high_watermark(match_indexes(replicas), in_sync_flags(replicas), 0));
  }
  set_visible(state, visible);
}

// A follower learns the visible index from its leader's appends, as Kafka's
// followers learn the high watermark from fetch responses, no further than
// what it knows matches the leader's log (its commit index).
void LeaderFollowerNode::learn_visible(UnitState& state, LogIndex leader_visible)
{
  if (visible_data_ && state.vol.role != ReplicaRole::leader)
    set_visible(state, std::min(leader_visible, state.vol.commit));
}

void LeaderFollowerNode::set_visible(UnitState& state, LogIndex visible)
{
  if (!visible_data_)
    return;
  const Log& log = state.durable.log;
  state.vol.visible = std::max(state.vol.visible, std::min(visible, last_index(log)));
  LogIndex& applied = state.durable.visible_applied;
  applied = std::max(applied, log.compacted());  // entries discarded before the snapshot existed were all taken
  for (; applied < state.vol.visible; ) {
    const LogEntry& e = log.at(++applied);
    if (!e.is_noop())
      (*visible_data_)[e.key] = {e.version, e.op, e.term, applied};
  }
}

// A truncation reaching into the snapshot (which only a leader that lost
// committed entries could cause) takes them back out of it.
void LeaderFollowerNode::unapply_visible(UnitState& state, LogIndex from, const std::vector<Key>& keys)
{
  if (!visible_data_ || from > state.durable.visible_applied)
    return;
  state.durable.visible_applied = from - 1;
  state.vol.visible = std::min(state.vol.visible, from - 1);
  for (Key key : keys) {
    const HeldWrite w = held_in_log(state, key, from - 1);
    if (w.version == 0)
      visible_data_->erase(key);
    else
      (*visible_data_)[key] = w;
  }
}

// The newest write of `key` among the entries up to `through`, kept or
// discarded.
LeaderFollowerNode::HeldWrite LeaderFollowerNode::held_in_log(const UnitState& state, Key key, LogIndex through) const
{
  const Log& log = state.durable.log;
  for (LogIndex i = std::min(through, last_index(log)); i > log.compacted(); --i) {
    const LogEntry& e = log.at(i);
    if (!e.is_noop() && e.key == key)
      return {e.version, e.op, e.term, i};
  }
  if (discarded_versions_)
    if (auto it = discarded_versions_->find(key); it != discarded_versions_->end())
      return it->second;
  return {};
}

}  // namespace replisim
