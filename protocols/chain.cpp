#include "protocols/chain.hpp"

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

ChainNode::ChainNode(NodeId self, const Placement& placement, ChainConfig config)
    : self_(self), placement_(placement), config_(config)
{
  for (UnitId unit = 0; unit < placement.unit_count(); ++unit) {
    const auto chain = placement.replicas(unit);
    const auto pos = std::find(chain.begin(), chain.end(), self) - chain.begin();
    if (pos == static_cast<std::ptrdiff_t>(chain.size()))
      continue;
    UnitState& state = units_[unit];
    state.chain_length = static_cast<int>(chain.size());
    if (pos > 0)
      state.predecessor = chain[static_cast<std::size_t>(pos - 1)];
    if (pos + 1 < static_cast<std::ptrdiff_t>(chain.size()))
      state.successor = chain[static_cast<std::size_t>(pos + 1)];
  }
}

Ready ChainNode::step(const Envelope& in, Time now)
{
  Ready out;
  now_ = now;
  std::visit([&](const auto& m) { on(m, in.from, out); }, in.message);
  return out;
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
// linearly ordered to form a chain"); it never changes without failures.
NodeId ChainNode::head_of(UnitId unit) const { return placement_.replicas(unit).front(); }
NodeId ChainNode::tail_of(UnitId unit) const { return placement_.replicas(unit).back(); }
LogIndex ChainNode::applied_seq(UnitId unit) const { return unit_state_or_throw(unit).durable.log.size(); }
LogIndex ChainNode::committed_seq(UnitId unit) const { return unit_state_or_throw(unit).durable.committed; }
const std::vector<ChainEntry>& ChainNode::log_of(UnitId unit) const { return unit_state_or_throw(unit).durable.log; }

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
    const ChainEntry& entry = d.log[d.committed];
    Version& clean = d.keys[entry.key].clean;
    clean = std::max(clean, entry.version);
  }
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
  out.send(self(), update.client, WriteReply{update.op, true, update.version, state.chain_length, now_});
  if (state.predecessor != kNoNode)
    out.send(self(), Address::node(state.predecessor), ChainAck{update.unit, update.seq});
}

void ChainNode::on(const ClientWrite& m, Address from, Ready& out)
{
  const UnitId unit = placement_.unit_of(m.key);
  UnitState* state = unit_state(unit);
  if (state == nullptr || state->predecessor != kNoNode) {
    out.send(self(), from, WriteReply{m.op, false, 0, 0});  // §2: updates go to the head only
    return;
  }
  ++counters_.writes_led;
  // The head orders the unit's updates: the next sequence number, and the
  // key's next version (the head has applied every earlier one).
  const ChainEntry entry{m.key, version_of(m.key) + 1};
  apply(*state, entry, out);
  pass_down(*state, ChainForward{unit, state->durable.log.size(), entry.key, entry.version, from, m.op}, out);
}

void ChainNode::on(const ChainForward& m, Address from, Ready& out)
{
  UnitState* state = unit_state(m.unit);
  if (state == nullptr || from != Address::node(state->predecessor))
    return;  // updates come only from the predecessor (§2's FIFO link)
  // Delays can reorder messages between two nodes, which §2 assumes FIFO:
  // apply strictly in sequence, holding updates that arrive ahead of a gap,
  // so every node's history stays a prefix of its predecessor's.
  auto& early = state->vol.early;
  if (m.seq > state->durable.log.size() + 1) {
    early.emplace(m.seq, m);
    return;
  }
  if (m.seq <= state->durable.log.size())
    return;  // a duplicate: applied and passed on already
  ChainForward next = m;
  for (;;) {
    apply(*state, {next.key, next.version}, out);
    ++counters_.writes_replicated;
    pass_down(*state, next, out);
    auto it = early.find(state->durable.log.size() + 1);
    if (it == early.end())
      break;
    next = it->second;
    early.erase(it);
  }
}

void ChainNode::on(const ChainAck& m, Address from, Ready& out)
{
  UnitState* state = unit_state(m.unit);
  if (state == nullptr || from != Address::node(state->successor))
    return;
  // Cumulative: an ack at or below the committed point says nothing new (the
  // higher one was already passed up). An ack beyond what this node applied
  // cannot be genuine: the successor holds only what this node sent it.
  if (m.seq <= state->durable.committed || m.seq > state->durable.log.size())
    return;
  commit_through(*state, m.seq);
  if (state->predecessor != kNoNode)
    out.send(self(), Address::node(state->predecessor), m);
}

void ChainNode::on(const ClientRead& m, Address from, Ready& out)
{
  const UnitId unit = placement_.unit_of(m.key);
  UnitState* state = unit_state(unit);
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
  state->vol.pending_reads.emplace(request, PendingRead{from, m.op});
  out.send(self(), Address::node(placement_.replicas(unit).back()), CommittedVersionQuery{request, unit, m.key});
}

void ChainNode::on(const CommittedVersionQuery& m, Address from, Ready& out)
{
  UnitState* state = unit_state(m.unit);
  if (state == nullptr || state->successor != kNoNode)
    return;  // only the tail knows what is committed; a node never sends this elsewhere
  out.send(self(), from, CommittedVersionReply{m.request, m.unit, committed_version_of(m.key)});
}

void ChainNode::on(const CommittedVersionReply& m, Address, Ready& out)
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
