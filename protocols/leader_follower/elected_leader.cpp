#include "protocols/leader_follower/elected_leader.hpp"

namespace replisim {

void ElectedLeader::on_append(UnitState& state, const Replicate& m, Address from, Ready& out)
{
  host_.follow_append(state, m, from, out);
}

void ElectedLeader::on_newer_term(UnitState& state, Term term, Ready& out)
{
  host_.become_follower(state, term, kNoNode, out);
}

// w:1 / acks=1 at the leader's append (such a write can be lost on
// failover); majority once committed (§5.4.2); all once committed and held
// by every in-sync replica.
LogIndex ElectedLeader::acknowledgeable(const UnitState& state) const
{
  switch (concern_) {
    case WriteConcern::one: return last_index(state.durable.log);
    case WriteConcern::majority: return state.vol.commit;
    case WriteConcern::all: break;
  }
  return held_by_in_sync(state.vol.lead->replicas, state.vol.commit);
}

}  // namespace replisim
