// What the policies whose leaders change share, whether Raft's votes or a
// Kafka controller choose them: Raft's appends (§5.3), which repair a
// follower's log after a change of leader; stepping down before a newer
// term (§5.1); refusals that name the leader a replica knows of; and a
// write acknowledged by the write concern once it is committed.
#pragma once
#include "protocols/leader_follower/leadership_policy.hpp"

namespace replisim {

class ElectedLeader : public LeadershipPolicy {
public:
  bool leaders_change() const override { return true; }
  void on_append(UnitState& state, const Replicate& m, Address from, Ready& out) override;
  void on_newer_term(UnitState& state, Term term, Ready& out) override;
  NodeId redirect_to(const UnitState& state) const override { return state.vol.leader; }
  LogIndex acknowledgeable(const UnitState& state) const override;

protected:
  ElectedLeader(LeadershipHost& host, NodeId self, const Placement& placement, WriteConcern concern)
      : host_(host), self_(self), placement_(placement), concern_(concern)
  {
  }
  Address self() const { return Address::node(self_); }

  LeadershipHost& host_;
  NodeId self_;
  const Placement& placement_;
  WriteConcern concern_;
};

}  // namespace replisim
