// What a LeaderFollowerNode lends its leadership policy: the units it holds,
// and the steps of replication that a policy's decisions set off. A policy
// decides who leads; the node knows how a leader leads and a follower
// follows. The node implements this privately: only its policy calls it.
#pragma once
#include <vector>

#include "protocols/common/ready.hpp"
#include "protocols/common/state_machine.hpp"
#include "protocols/leader_follower/unit_state.hpp"

namespace replisim {

// The node's own timer; every other timer id belongs to its policy.
inline constexpr TimerId kHeartbeatTimer = ~TimerId{0};

class LeadershipHost {
public:
  virtual Time now() const = 0;  // of the input being handled
  // nullptr: this node holds no replica of the unit.
  virtual UnitState* find_unit(UnitId unit) = 0;
  // Throws std::out_of_range when this node holds no replica of the unit.
  virtual UnitState& unit(UnitId unit) = 0;
  virtual void report_role(const RoleEvent& event) = 0;

  // Roles.
  // Term 1 as placed: the primary leads, every other replica follows it.
  virtual void place_roles(UnitState& state) = 0;
  // Leads the current term, with a fresh view of its replicas, not yet taking writes.
  virtual void take_lead(UnitState& state, Ready& out) = 0;
  // Takes writes from now: opens its term with a no-op entry (Raft §8).
  virtual void start_writing(UnitState& state, Ready& out) = 0;
  // MongoDB's catch-up: takes writes once a majority has reported its log's end.
  virtual void catch_up(UnitState& state, Ready& out) = 0;
  // Follows `leader` (kNoNode: not known) at `term`, at least the current one;
  // a leader stepping down fails its pending writes.
  virtual void become_follower(UnitState& state, Term term, NodeId leader, Ready& out) = 0;

  // Replication.
  // Raft's append (§5.3): checked against the previous entry, conflicts truncated.
  virtual void follow_append(UnitState& state, const Replicate& m, Address from, Ready& out) = 0;
  // A follower appends the leader's entry next in its log, as is.
  virtual void apply_replicated(UnitState& state, const LogEntry& entry, Ready& out) = 0;
  // Discards the entries up to `through`, no further than the commit index.
  virtual void compact(UnitState& state, LogIndex through) = 0;
  // One Heartbeat per follower node, covering every unit of `units` (all led here).
  virtual void send_heartbeats(const std::vector<UnitId>& units, Ready& out) = 0;
  // Recomputes the commit index and answers the writes it allows.
  virtual void acknowledge_committed(UnitState& state, Ready& out) = 0;

protected:
  ~LeadershipHost() = default;
};

}  // namespace replisim
