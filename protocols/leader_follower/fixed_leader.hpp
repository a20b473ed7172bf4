// Failover off: each unit's primary leads term 1 for the whole run, as
// placed. No timer, no heartbeat, no vote: the messages of before elections
// existed. With one leader per unit, logs cannot diverge, so a follower only
// applies entries in log order, and a write is acknowledged once the write
// concern's count of replicas holds it. A crashed node comes back in the
// role it had, with nothing resent: entries lost meanwhile stay lost.
#pragma once
#include "protocols/leader_follower/leadership_policy.hpp"

namespace replisim {

class FixedLeader final : public LeadershipPolicy {
public:
  FixedLeader(LeadershipHost& host, NodeId self, const Placement& placement, WriteConcern concern);

  void start(Ready& /*out*/) override {}
  void recover(Ready& out) override;
  void on_timer(TimerId /*id*/, Ready& /*out*/) override {}
  // No votes and no controller: a run without failover sends none of them.
  void on(const RequestVote& /*m*/, Address /*from*/, Ready& /*out*/) override {}
  void on(const Vote& /*m*/, Address /*from*/, Ready& /*out*/) override {}
  void on(const PreVote& /*m*/, Address /*from*/, Ready& /*out*/) override {}
  void on(const PreVoteReply& /*m*/, Address /*from*/, Ready& /*out*/) override {}
  void on(const BrokerHeartbeat& /*m*/, Address /*from*/, Ready& /*out*/) override {}
  void on(const BrokerHeartbeatReply& /*m*/, Address /*from*/, Ready& /*out*/) override {}
  void on(const LeaderAndIsr& /*m*/, Address /*from*/, Ready& /*out*/) override {}
  void on(const AlterPartition& /*m*/, Address /*from*/, Ready& /*out*/) override {}
  bool leaders_change() const override { return false; }

  void on_append(UnitState& state, const Replicate& m, Address from, Ready& out) override;
  void on_newer_term(UnitState& /*state*/, Term /*term*/, Ready& /*out*/) override {}
  NodeId redirect_to(const UnitState& /*state*/) const override { return kNoNode; }

  LogIndex commit_index(const UnitState& state) const override;
  LogIndex acknowledgeable(const UnitState& state) const override;
  bool fails_held_writes(const Leading& /*lead*/) const override { return false; }
  LogIndex rejoin_index(const UnitState& state) const override { return state.vol.commit; }

private:
  LeadershipHost& host_;
  NodeId self_;
  const Placement& placement_;
  WriteConcern concern_;
};

}  // namespace replisim
