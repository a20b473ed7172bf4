#include "protocols/leader_follower/fixed_leader.hpp"

#include <algorithm>

namespace replisim {

FixedLeader::FixedLeader(LeadershipHost& host, NodeId self, const Placement& placement, WriteConcern concern)
    : host_(host), self_(self), placement_(placement), concern_(concern)
{
}

void FixedLeader::recover(Ready& /*out*/)
{
  for (UnitId unit : placement_.units_of(self_))
    host_.place_roles(host_.unit(unit));
}

// An append from an older term comes from a deposed leader and is dropped
// unanswered; a newer term names its sender the leader. Entries apply in
// log order: one ahead of a gap waits for it, and its refusal makes the
// leader resend what is missing (LeaderFollowerNode::back_up).
void FixedLeader::on_append(UnitState& state, const Replicate& m, Address from, Ready& out)
{
  const Log& log = state.durable.log;
  if (m.term < state.durable.term)
    return;
  if (m.term > state.durable.term) {
    state.durable.term = m.term;
    state.vol.leader = from.index;
  }
  auto& early = state.vol.early;
  if (m.index > last_index(log) + 1) {
    // Entries are missing before this one. Kept; and once the gap has been
    // open for kGapPatience (longer than messages overtaking each other, so
    // that it was a loss: while this node, or its leader, was down), refused
    // naming the last entry held, so that the leader backs up and resends
    // from there, as MongoDB's secondary fetches the oplog from its sync
    // source after a restart and Kafka's follower fetches from its log end
    // offset.
    early.emplace(m.index, m);
    const auto [gap, opened] = gap_since_.try_emplace(m.unit, host_.now());
    const LogIndex held = last_index(log);
    if (!opened && host_.now() - gap->second >= kGapPatience) {
      gap->second = host_.now();
      out.send(Address::node(self_), from,
               ReplicateAck{.term = state.durable.term, .unit = m.unit, .match_index = held, .success = false,
                            .rejected = m.index - 1, .hint = held});
    } else {
      out.send(Address::node(self_), from, ReplicateAck{state.durable.term, m.unit, held});
    }
    return;
  }
  gap_since_.erase(m.unit);
  if (m.index == last_index(log) + 1) {
    host_.apply_replicated(state, {m.term, m.key, m.version, m.op}, out);
    for (auto it = early.begin(); it != early.end() && it->first == last_index(log) + 1; it = early.erase(it))
      host_.apply_replicated(state, {it->second.term, it->second.key, it->second.version, it->second.op}, out);
  }
  state.vol.commit = std::max(state.vol.commit, std::min(m.commit, last_index(log)));
  host_.compact(state, m.compacted);
  // Acknowledge even a duplicate: the leader may have lost the earlier ack.
  out.send(Address::node(self_), from, ReplicateAck{state.durable.term, m.unit, last_index(log)});
}

LogIndex FixedLeader::commit_index(const UnitState& state) const
{
  return leader_commit(match_indexes(state.vol.lead->replicas), state.durable.log, state.durable.term,
                       state.vol.commit);
}

// The write concern's count of replicas, the leader's own included.
LogIndex FixedLeader::acknowledgeable(const UnitState& state) const
{
  const auto& replicas = state.vol.lead->replicas;
  return quorum_index(match_indexes(replicas), acks_needed(concern_, static_cast<int>(replicas.size())));
}

}  // namespace replisim
