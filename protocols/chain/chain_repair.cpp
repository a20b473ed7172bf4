// Chain replication under failures (van Renesse and Schneider, OSDI 2004,
// §3). The master is the membership oracle (every node sees a change the
// instant it happens) or, under the timeout detector, a TimeoutDetector that
// convicts a failed node --detector-timeout after its last heartbeat; every
// node repairs the chains it belongs to when the master's view changes; a
// node that comes back catches up from a live neighbour.
#include <algorithm>
#include <stdexcept>

#include "protocols/chain/chain.hpp"

namespace replisim {

std::vector<NodeId> ChainNode::live_chain(UnitId unit) const
{
  std::vector<NodeId> chain;
  for (NodeId n : placement_.replicas(unit))
    if (up(n))
      chain.push_back(n);
  return chain;
}

void ChainNode::set_view(UnitState& state, std::vector<NodeId> live)
{
  state.live = std::move(live);
  state.predecessor = kNoNode;
  state.successor = kNoNode;
  const auto pos = std::find(state.live.begin(), state.live.end(), self_);
  if (pos == state.live.end())
    return;  // this node is down in the membership: it runs nothing
  if (pos != state.live.begin())
    state.predecessor = *std::prev(pos);
  if (std::next(pos) != state.live.end())
    state.successor = *std::next(pos);
}

void ChainNode::start_leading(UnitId unit, UnitState& state)
{
  if (state.vol.led_epoch != 0 || state.vol.catching_up)
    return;
  state.vol.led_epoch = state.durable.epoch;
  report({RoleEvent::Kind::became_leader, unit, self_, state.durable.epoch, now_});
}

void ChainNode::stop_leading(UnitId unit, UnitState& state)
{
  if (state.vol.led_epoch == 0)
    return;
  report({RoleEvent::Kind::stopped_leading, unit, self_, state.vol.led_epoch, now_});
  state.vol.led_epoch = 0;
}

void ChainNode::follow_master(Time now, Ready& out)
{
  if (master_ == nullptr)
    return;
  master_->observe(now);
  master_->advance(now);
  if (const Time next = master_->next_conviction(); next != kNever)
    out.set_timer(kConvictionTimer, next);
}

Ready ChainNode::on_timer(TimerId id, Time now)
{
  Ready out;
  if (id != kConvictionTimer || master_ == nullptr)
    return out;
  now_ = now;
  follow_master(now, out);
  if (!up(self_))
    return out;
  for (UnitId unit : my_units_)
    reconfigure(unit, units_.at(unit), out);
  return out;
}

Ready ChainNode::membership_changed(Time now)
{
  Ready out;
  now_ = now;
  follow_master(now, out);  // a failure changes the master's view only when convicted
  if (!up(self_))
    return out;  // a node that is down hears nothing: it rejoins through recover()
  for (UnitId unit : my_units_)
    reconfigure(unit, units_.at(unit), out);
  return out;
}

// One unit's repair, when its live chain changed.
void ChainNode::reconfigure(UnitId unit, UnitState& state, Ready& out)
{
  std::vector<NodeId> live = live_chain(unit);
  if (live == state.live)
    return;
  const std::vector<NodeId> before = state.live;
  const NodeId old_predecessor = state.predecessor;
  const NodeId old_successor = state.successor;
  const NodeId old_tail = before.empty() ? kNoNode : before.back();
  set_view(state, std::move(live));
  ++state.durable.epoch;
  const auto was_live = [&](NodeId n) { return std::find(before.begin(), before.end(), n) != before.end(); };

  if (state.vol.catching_up) {
    // Its role waits until it has caught up; only the neighbour to ask may change.
    const NodeId helper = state.predecessor != kNoNode ? state.predecessor : state.successor;
    if (helper != state.vol.helper)
      ask_to_join(unit, state, out);
    return;
  }
  if (old_predecessor == kNoNode && state.predecessor != kNoNode)
    stop_leading(unit, state);  // a node ahead of it came back and heads the chain
  // A middle failure (§3): the new successor may lack any update this node
  // sent but has not seen acknowledged. A successor that is coming back asks
  // for what it lacks instead.
  if (state.successor != old_successor && state.successor != kNoNode && was_live(state.successor))
    resend_sent(unit, state, out);
  const bool became_tail = old_successor != kNoNode && state.successor == kNoNode;
  if (became_tail)
    become_tail(unit, state, out);
  else if (state.predecessor != old_predecessor && state.predecessor != kNoNode && state.durable.committed > 0)
    // Acknowledgements may have died with the node between them: tell the
    // new predecessor what is committed here.
    out.send(self(), Address::node(state.predecessor), ChainAck{unit, state.durable.committed});
  if (old_predecessor != kNoNode && state.predecessor == kNoNode) {
    // A head failure: the successor takes over. Updates the old head sent
    // ahead of a gap will never be completed; the sequence numbers are now
    // this node's to give.
    state.vol.early.clear();
    start_leading(unit, state);
  }
  if (state.live.back() != old_tail)
    ask_tail_again(unit, state, out);
}

// Sends the successor every update after the committed point: the paper's
// Sent list (updates forwarded, not yet known to have reached the tail).
void ChainNode::resend_sent(UnitId unit, UnitState& state, Ready& out)
{
  for (LogIndex seq = state.durable.committed + 1; seq <= state.durable.log.last_index(); ++seq)
    out.send(self(), Address::node(state.successor), forward_of(unit, state, seq));
}

// A tail failure (§3): the predecessor becomes the tail and everything it
// holds is committed, since the chain now ends at it. It answers the clients
// of the updates the old tail may not have answered (a client ignores a
// second answer) and acknowledges up the chain.
void ChainNode::become_tail(UnitId unit, UnitState& state, Ready& out)
{
  Durable& d = state.durable;
  const int holders = static_cast<int>(state.live.size());
  for (LogIndex seq = d.committed + 1; seq <= d.log.last_index(); ++seq) {
    const ChainEntry& e = d.log.at(seq);
    if (e.client.kind == Address::Kind::client)
      out.send(self(), e.client, WriteReply{e.op, true, e.version, holders, now_});
  }
  commit_through(state, d.log.last_index());
  if (state.predecessor != kNoNode && d.committed > 0)
    out.send(self(), Address::node(state.predecessor), ChainAck{unit, d.committed});
}

// CRAQ reads waiting on a tail that is gone ask the new one; a node that is
// the new tail answers them itself.
void ChainNode::ask_tail_again(UnitId unit, UnitState& state, Ready& out)
{
  auto& pending = state.vol.pending_reads;
  std::vector<OpId> requests;  // in the order they were asked, whatever the hash table's order
  for (const auto& [request, read] : pending)
    requests.push_back(request);
  std::sort(requests.begin(), requests.end());
  for (OpId request : requests) {
    const PendingRead read = pending.at(request);
    if (state.successor == kNoNode) {
      out.send(self(), read.client, ReadReply{read.op, true, committed_version_of(read.key)});
      pending.erase(request);
    } else {
      out.send(self(), Address::node(state.live.back()), CommittedVersionQuery{request, unit, read.key});
    }
  }
}

void ChainNode::crash(Time)
{
  for (auto& [unit, state] : units_)
    state.vol = Volatile{};
}

Ready ChainNode::recover(Time now)
{
  Ready out;
  now_ = now;
  follow_master(now, out);
  for (UnitId unit : my_units_) {
    UnitState& state = units_.at(unit);
    state.vol = Volatile{};
    set_view(state, live_chain(unit));
    if (state.live.size() == 1)
      ++state.durable.epoch;  // alone: a configuration nobody else will count
    state.vol.catching_up = true;
    ask_to_join(unit, state, out);
  }
  return out;
}

// Asks the predecessor (or, at the head, the successor) for every update
// after the committed prefix. What follows the prefix in this node's own log
// may differ from the chain's now (a head that failed with updates it never
// forwarded: the new head reused their sequence numbers), so it is replaced.
void ChainNode::ask_to_join(UnitId unit, UnitState& state, Ready& out)
{
  state.vol.helper = state.predecessor != kNoNode ? state.predecessor : state.successor;
  state.vol.have = state.durable.committed;
  if (state.vol.helper == kNoNode) {
    // Alone in its chain: nobody to catch up from, what it holds is all there is.
    finish_catching_up(unit, state, out);
    return;
  }
  out.send(self(), Address::node(state.vol.helper), ChainJoin{unit, state.vol.have, state.durable.epoch});
}

void ChainNode::on(const ChainJoin& m, Address from, Time /*now*/, Ready& out)
{
  UnitState* state = unit_state(m.unit);
  if (state == nullptr)
    return;
  state->durable.epoch = std::max(state->durable.epoch, m.epoch);
  if (state->vol.catching_up && from.index != state->vol.helper) {
    state->vol.joiners.emplace_back(from.index, m);  // answered once this node has caught up
    return;
  }
  answer_join(m.unit, *state, from.index, m, out);
}

// The updates after the joiner's prefix, with the client of each one not yet
// committed. A node still catching up itself (its joiner is the neighbour it
// waits on: both came back at once) offers only its committed prefix.
void ChainNode::answer_join(UnitId unit, const UnitState& state, NodeId joiner, const ChainJoin& m, Ready& out)
{
  const Durable& d = state.durable;
  const LogIndex last = state.vol.catching_up ? d.committed : d.log.last_index();
  ChainCatchUp reply{unit, d.epoch, m.have, d.committed, {}};
  for (LogIndex seq = m.have + 1; seq <= last; ++seq) {
    ChainForward update = forward_of(unit, state, seq);
    if (seq <= d.committed)
      update.client = Address{};  // committed: answered already
    reply.updates.push_back(update);
  }
  out.send(self(), Address::node(joiner), std::move(reply));
}

void ChainNode::on(const ChainCatchUp& m, Address from, Time /*now*/, Ready& out)
{
  UnitState* state = unit_state(m.unit);
  if (state == nullptr || !state->vol.catching_up || from.index != state->vol.helper || m.after != state->vol.have)
    return;  // an answer to an earlier request
  Durable& d = state->durable;
  d.epoch = std::max(d.epoch, m.epoch);
  d.log.erase_from(m.after + 1);
  for (const ChainForward& u : m.updates) {
    d.log.push_back({u.key, u.version, u.client, u.op});
    ++out.persist;
    ++counters_.writes_replicated;
  }
  rebuild_keys(*state);
  commit_through(*state, std::min<LogIndex>(m.committed, d.log.last_index()));
  finish_catching_up(m.unit, *state, out);
}

// Versions per key from the log, after part of it was replaced. Needs the
// whole log: compaction is off in runs where nodes come back from crashes.
void ChainNode::rebuild_keys(UnitState& state)
{
  Durable& d = state.durable;
  if (d.log.compacted() != 0)
    throw std::logic_error("chain: rebuilding the versions of a compacted log");
  d.keys.clear();
  LogIndex seq = 0;
  for (const ChainEntry& e : d.log) {
    ++seq;
    KeyVersions& v = d.keys[e.key];
    v.latest = std::max(v.latest, e.version);
    if (seq <= d.committed)
      v.clean = std::max(v.clean, e.version);
  }
}

// Caught up: takes the node's place in the chain, then handles what it held.
void ChainNode::finish_catching_up(UnitId unit, UnitState& state, Ready& out)
{
  Volatile& v = state.vol;
  v.catching_up = false;
  if (state.successor == kNoNode) {
    become_tail(unit, state, out);
  } else if (state.successor != v.helper) {
    // A middle node: its successor missed what the predecessor sent it while
    // this node was away, and drops updates from anyone but this node now.
    resend_sent(unit, state, out);
  }
  apply_in_sequence(state, out);
  const LogIndex acked = std::min<LogIndex>(v.deferred_ack, state.durable.log.last_index());
  if (state.successor != kNoNode && acked > state.durable.committed) {
    commit_through(state, acked);
    if (state.predecessor != kNoNode)
      out.send(self(), Address::node(state.predecessor), ChainAck{unit, acked});
  }
  if (state.predecessor == kNoNode)
    start_leading(unit, state);
  for (const Envelope& e : std::exchange(v.held, {}))
    dispatch(e, out);
  for (const auto& [joiner, m] : std::exchange(v.joiners, {}))
    answer_join(unit, state, joiner, m, out);
}

}  // namespace replisim
