// The leader-based models' acknowledged writes held against their units'
// logs: Raft's Leader Completeness at every election (the new leader's log
// holds every committed entry and every write acknowledged as committed), and
// after the run, which acknowledged writes the unit's final state lost. It
// needs whole logs: nodes audited keep theirs uncompacted (it throws
// std::logic_error on a compacted one).
#pragma once
#include <cstdint>
#include <optional>
#include <unordered_set>
#include <vector>

#include "experiments/core/invariants.hpp"
#include "protocols/client/client.hpp"
#include "protocols/leader_follower/leader_follower.hpp"
#include "protocols/common/membership.hpp"

namespace replisim {

class LogAudit {
public:
  // `nodes[n]`: node n's machine (null until made). `committed_acks`: whether
  // an acknowledged write is committed (majority or all), so that losing it
  // violates an invariant; w:1 / acks=1 writes may be lost by design.
  LogAudit(const Placement& placement, const std::vector<const LeaderFollowerNode*>& nodes,
           const Membership& membership, bool committed_acks, Invariants* invariants);

  // An ok write, as its client saw it.
  void acknowledged(const Completion& op);
  // Leader Completeness for the node that just became leader.
  void became_leader(const RoleEvent& e);
  // After the run: counts the acknowledged writes the units' final state
  // lacks (reports a lost committed one as a violation).
  void finish(Time end);
  std::uint64_t lost() const { return lost_; }
  const std::unordered_set<OpId>& lost_writes() const { return lost_writes_; }
  // After the run: acknowledged writes removed from any replica's log by a
  // truncation (rolled back), each counted once, whether or not a retry
  // wrote them again.
  std::uint64_t rolled_back() const { return rolled_back_; }

  // The log that decides a unit's state now: its live leader's at the
  // highest term; without one, the most up-to-date live replica's (Raft
  // §5.4.1: the one an election would pick); with no replica live, the most
  // up-to-date of all (logs are durable). Null before the nodes exist.
  const LeaderFollowerNode* authority(UnitId unit) const;

private:
  // Whether `node`'s log holds what unit `unit` must keep: the committed
  // prefix seen so far and the committed acknowledged writes. Describes the
  // first missing item, or returns "".
  std::string missing(UnitId unit, const LeaderFollowerNode& node, bool committed_only) const;
  void note_commits(UnitId unit);

  struct Committed {
    LogIndex index = 0;
    Term term = 0;
    NodeId seen_at = kNoNode;
  };
  const Placement& placement_;
  const std::vector<const LeaderFollowerNode*>& nodes_;
  const Membership& membership_;
  bool committed_acks_;
  Invariants* invariants_;
  std::vector<std::vector<OpId>> acked_;  // per unit, the ok writes' op ids
  std::vector<Committed> committed_;     // per unit, the furthest commit any replica was seen to hold
  std::uint64_t lost_ = 0;
  std::unordered_set<OpId> lost_writes_;
  std::uint64_t rolled_back_ = 0;
};

}  // namespace replisim
