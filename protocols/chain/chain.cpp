#include "protocols/chain/chain.hpp"

#include <algorithm>
#include <stdexcept>

namespace replisim {

ChainReads parse_chain_reads(const std::string& text)
{
  if (text == "tail")
    return ChainReads::tail;
  if (text == "craq")
    return ChainReads::craq;
  throw std::invalid_argument("unknown chain read mode '" + text + "' (expected tail or craq)");
}

std::string to_string(ChainReads reads)
{
  switch (reads) {
    case ChainReads::tail: return "tail";
    case ChainReads::craq: return "craq";
  }
  return "?";
}

ChainNode::ChainNode(NodeId self, const Placement& placement, ChainConfig config, const Membership* membership,
                     TimeoutDetector* master)
    : self_(self), placement_(placement), config_(config),
      membership_(master != nullptr ? &master->view() : membership), master_(master)
{
  units_.reserve(placement.units_of(self).size());  // exactly: doubling would leave up to half unused
  my_units_.reserve(placement.units_of(self).size());
  for (UnitId unit : placement.units_of(self)) {
    set_view(units_[unit], live_chain(unit));
    my_units_.push_back(unit);
  }
}

Ready ChainNode::start(Time now)
{
  now_ = now;
  for (UnitId unit : my_units_) {
    UnitState& state = units_.at(unit);
    if (state.predecessor == kNoNode)
      start_leading(unit, state);
  }
  return {};
}

Ready ChainNode::step(const Envelope& in, Time now)
{
  Ready out;
  now_ = now;
  dispatch(in, out);
  return out;
}

void ChainNode::dispatch(const Envelope& in, Ready& out)
{
  visit_handled<Ignored>(in.message, [&](const auto& m) { on(m, in.from, now_, out); });
}

ChainNode::UnitState* ChainNode::unit_state(UnitId unit)
{
  auto it = units_.find(unit);
  return it == units_.end() ? nullptr : &it->second;
}

const ChainNode::UnitState* ChainNode::unit_state(UnitId unit) const
{
  auto it = units_.find(unit);
  return it == units_.end() ? nullptr : &it->second;
}

const ChainNode::UnitState& ChainNode::unit_state_or_throw(UnitId unit) const
{
  const UnitState* state = unit_state(unit);
  if (state == nullptr)
    throw std::out_of_range("node is not in this unit's chain");
  return *state;
}

const ChainNode::KeyVersions* ChainNode::key_versions(Key key) const
{
  const UnitState* state = unit_state(placement_.unit_of(key));
  if (state == nullptr)
    return nullptr;
  auto it = state->durable.keys.find(key);
  return it == state->durable.keys.end() ? nullptr : &it->second;
}

Version ChainNode::version_of(Key key) const
{
  const KeyVersions* v = key_versions(key);
  return v == nullptr ? 0 : v->latest;
}

Version ChainNode::committed_version_of(Key key) const
{
  const KeyVersions* v = key_versions(key);
  return v == nullptr ? 0 : v->clean;
}

// The chain is the placement's replica set in order (§2: "the servers are
// linearly ordered to form a chain"), less the nodes that are down.
NodeId ChainNode::head_of(UnitId unit) const
{
  const auto chain = live_chain(unit);
  return chain.empty() ? kNoNode : chain.front();
}

NodeId ChainNode::tail_of(UnitId unit) const
{
  const auto chain = live_chain(unit);
  return chain.empty() ? kNoNode : chain.back();
}

LogIndex ChainNode::applied_seq(UnitId unit) const { return unit_state_or_throw(unit).durable.log.last_index(); }
LogIndex ChainNode::committed_seq(UnitId unit) const { return unit_state_or_throw(unit).durable.committed; }
const ChainLog& ChainNode::log_of(UnitId unit) const { return unit_state_or_throw(unit).durable.log; }
std::uint64_t ChainNode::epoch_of(UnitId unit) const { return unit_state_or_throw(unit).durable.epoch; }
bool ChainNode::catching_up(UnitId unit) const { return unit_state_or_throw(unit).vol.catching_up; }

std::size_t ChainNode::pending_reads() const
{
  std::size_t n = 0;
  for (const auto& [unit, state] : units_)
    n += state.vol.pending_reads.size();
  return n;
}

void ChainNode::apply(UnitState& state, const ChainEntry& entry, Ready& out)
{
  state.durable.log.push_back(entry);
  Version& latest = state.durable.keys[entry.key].latest;
  latest = std::max(latest, entry.version);
  ++out.persist;
}

// Marks every update up to `seq` committed: its version of its key is now
// clean (CRAQ §2.3: "the node marks the object version as clean").
void ChainNode::commit_through(UnitState& state, LogIndex seq)
{
  Durable& d = state.durable;
  for (; d.committed < seq; ++d.committed) {
    const ChainEntry& entry = d.log.at(d.committed + 1);
    Version& clean = d.keys[entry.key].clean;
    clean = std::max(clean, entry.version);
  }
  if (config_.compact_logs)
    d.log.discard_through(d.committed);
}

// The update with sequence number `seq` as this node would forward it.
ChainForward ChainNode::forward_of(UnitId unit, const UnitState& state, LogIndex seq) const
{
  const ChainEntry& e = state.durable.log.at(seq);
  return ChainForward{unit, seq, e.key, e.version, e.client, e.op};
}

// After applying `update`: a node with a successor forwards it (§2: "each
// server forwards the update to its successor"); the tail commits it,
// answers the client and starts the acknowledgement back up the chain.
void ChainNode::pass_down(UnitState& state, const ChainForward& update, Ready& out)
{
  if (state.successor != kNoNode) {
    out.send(self(), Address::node(state.successor), update);
    return;
  }
  commit_through(state, update.seq);
  const int holders = static_cast<int>(state.live.size());
  if (update.client.kind == Address::Kind::client)  // else committed and answered before (a catch-up)
    out.send(self(), update.client, WriteReply{update.op, true, update.version, holders, now_});
  if (state.predecessor != kNoNode)
    out.send(self(), Address::node(state.predecessor), ChainAck{update.unit, update.seq});
}

void ChainNode::on(const ClientWrite& m, Address from, Time /*now*/, Ready& out)
{
  const UnitId unit = placement_.unit_of(m.key);
  UnitState* state = unit_state(unit);
  if (state != nullptr && state->predecessor == kNoNode && state->vol.catching_up) {
    state->vol.held.push_back({from, self(), m});  // the new head, not caught up yet
    return;
  }
  if (state == nullptr || state->predecessor != kNoNode) {
    // §2: updates go to the head only; the refusal names the head.
    out.send(self(), from, WriteReply{m.op, false, 0, 0, -1, head_of(unit)});
    return;
  }
  ++counters_.writes_led;
  // The head orders the unit's updates: the next sequence number, and the
  // key's next version (the head has applied every earlier one).
  const ChainEntry entry{m.key, version_of(m.key) + 1, from, m.op};
  apply(*state, entry, out);
  pass_down(*state, ChainForward{unit, state->durable.log.last_index(), entry.key, entry.version, from, m.op}, out);
}

void ChainNode::on(const ChainForward& m, Address from, Time /*now*/, Ready& out)
{
  UnitState* state = unit_state(m.unit);
  if (state == nullptr || from != Address::node(state->predecessor))
    return;  // updates come only from the predecessor (§2's FIFO link)
  if (state->vol.catching_up) {
    if (m.seq > state->vol.have)
      state->vol.early.emplace(m.seq, m);  // applied once the rest of the log has come
    return;
  }
  if (m.seq <= state->durable.log.last_index())
    return;  // a duplicate: applied and passed on already
  // Delays can reorder messages between two nodes, which §2 assumes FIFO:
  // apply strictly in sequence, holding updates that arrive ahead of a gap,
  // so every node's history stays a prefix of its predecessor's.
  state->vol.early.emplace(m.seq, m);
  apply_in_sequence(*state, out);
}

void ChainNode::apply_in_sequence(UnitState& state, Ready& out)
{
  auto& early = state.vol.early;
  while (!early.empty() && early.begin()->first <= state.durable.log.last_index())
    early.erase(early.begin());  // duplicates
  for (auto it = early.begin(); it != early.end() && it->first == state.durable.log.last_index() + 1;
       it = early.begin()) {
    const ChainForward next = it->second;
    early.erase(it);
    apply(state, {next.key, next.version, next.client, next.op}, out);
    ++counters_.writes_replicated;
    pass_down(state, next, out);
  }
}

void ChainNode::on(const ChainAck& m, Address from, Time /*now*/, Ready& out)
{
  UnitState* state = unit_state(m.unit);
  if (state == nullptr || from != Address::node(state->successor))
    return;
  if (state->vol.catching_up) {
    state->vol.deferred_ack = std::max(state->vol.deferred_ack, m.seq);  // its log may not reach it yet
    return;
  }
  // Cumulative: an ack at or below the committed point says nothing new (the
  // higher one was already passed up). An ack beyond what this node applied
  // cannot be genuine: the successor holds only what this node sent it.
  if (m.seq <= state->durable.committed || m.seq > state->durable.log.last_index())
    return;
  commit_through(*state, m.seq);
  if (state->predecessor != kNoNode)
    out.send(self(), Address::node(state->predecessor), m);
}

void ChainNode::on(const ClientRead& m, Address from, Time /*now*/, Ready& out)
{
  const UnitId unit = placement_.unit_of(m.key);
  UnitState* state = unit_state(unit);
  if (state != nullptr && state->vol.catching_up) {
    state->vol.held.push_back({from, self(), m});  // its versions may be stale until it has caught up
    return;
  }
  const bool is_tail = state != nullptr && state->successor == kNoNode;
  if (state == nullptr || (config_.reads == ChainReads::tail && !is_tail)) {
    // Without CRAQ only the tail's copy is known committed: a read elsewhere
    // could return an update the tail never saw, or miss one it acknowledged.
    out.send(self(), from, ReadReply{m.op, false, 0});
    return;
  }
  const Version latest = version_of(m.key);
  const Version clean = committed_version_of(m.key);
  if (latest == clean) {
    // The tail is always clean (whatever it applied is committed); elsewhere a
    // clean newest version is the committed one: the tail cannot have
    // committed a newer version this node, upstream of it, never applied.
    out.send(self(), from, ReadReply{m.op, true, clean});
    return;
  }
  // CRAQ §2.3: dirty, so ask the tail for its last committed version.
  const OpId request = next_request_++;
  state->vol.pending_reads.emplace(request, PendingRead{from, m.op, m.key});
  out.send(self(), Address::node(state->live.back()), CommittedVersionQuery{request, unit, m.key});
}

void ChainNode::on(const CommittedVersionQuery& m, Address from, Time /*now*/, Ready& out)
{
  UnitState* state = unit_state(m.unit);
  if (state != nullptr && state->successor == kNoNode && state->vol.catching_up) {
    state->vol.held.push_back({from, self(), m});  // a new tail answers once caught up
    return;
  }
  if (state == nullptr || state->successor != kNoNode)
    return;  // only the tail knows what is committed (the asker asks a new tail again)
  out.send(self(), from, CommittedVersionReply{m.request, m.unit, committed_version_of(m.key)});
}

void ChainNode::on(const CommittedVersionReply& m, Address, Time /*now*/, Ready& out)
{
  UnitState* state = unit_state(m.unit);
  if (state == nullptr)
    return;
  auto& pending = state->vol.pending_reads;
  auto it = pending.find(m.request);
  if (it == pending.end())
    return;  // answered already, or asked before a crash
  // The committed version is one this node holds: the tail applied it, so
  // every node upstream of the tail did too.
  out.send(self(), it->second.client, ReadReply{it->second.op, true, m.version});
  pending.erase(it);
}

}  // namespace replisim
