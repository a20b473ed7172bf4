// Failover off: each unit's primary leads term 1 for the whole run, as
// placed. No timer, no heartbeat, no vote: the messages of before elections
// existed. With one leader per unit, logs cannot diverge, so a follower only
// applies entries in log order, and a write is acknowledged once the write
// concern's count of replicas holds it. A crashed node comes back in the
// role it had; a follower that missed entries meanwhile refuses the next
// one it gets once the gap has stayed open a while (kGapPatience), naming
// the last it holds, and its leader resends from there (a catch-up, as a
// MongoDB secondary or a Kafka follower fetches).
#pragma once
#include <unordered_map>

#include "protocols/leader_follower/leadership_policy.hpp"

namespace replisim {

class FixedLeader final : public LeadershipPolicy {
public:
  FixedLeader(LeadershipHost& host, NodeId self, const Placement& placement, WriteConcern concern);

  // How long a gap in a follower's log may stay open before the follower
  // asks for what it lacks: messages overtaking each other close theirs
  // sooner; a loss never closes its own.
  static constexpr Time kGapPatience = 0.1;

  void start(Ready& /*out*/) override {}
  void crash() override { gap_since_.clear(); }
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
  std::unordered_map<UnitId, Time> gap_since_;  // per unit with entries ahead of a gap: since when
};

}  // namespace replisim
