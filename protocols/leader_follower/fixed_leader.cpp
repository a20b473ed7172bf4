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
// log order: one ahead of a gap waits for it.
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
    early.emplace(m.index, m);
  } else if (m.index == last_index(log) + 1) {
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
