// Who picks a unit's leader, and the rules that make that choice safe: the
// one thing that differs between the three systems LeaderFollowerNode
// models. A fixed leader (fixed_leader.hpp), Raft's votes (raft_votes.hpp)
// or a Kafka controller (kafka_controlled.hpp) is chosen once, when the node
// is built; the node then calls these hooks and never asks which it has, as
// etcd's raft switches a role's step function instead of testing the role.
// The commit rule belongs here too because it is what the choice relies on:
// Raft's votes are safe with majority commits, a controller that chooses
// from the ISR with the ISR's high watermark, a leader that never changes
// with any count of replicas.
#pragma once
#include <memory>
#include <vector>

#include "protocols/common/placement.hpp"
#include "protocols/common/write_concern.hpp"
#include "protocols/leader_follower/leadership_host.hpp"

namespace replisim {

class KafkaController;

class LeadershipPolicy {
public:
  virtual ~LeadershipPolicy() = default;

  // The run's life cycle. recover() is called once the node has lost the
  // volatile state of every unit, crash() as the node loses it.
  virtual void start(Ready& out) = 0;
  virtual void crash() {}
  virtual void recover(Ready& out) = 0;
  // Every timer but the node's heartbeat (kHeartbeatTimer).
  virtual void on_timer(TimerId id, Ready& out) = 0;
  // The messages of who leads: Raft's votes and a controller's. Each policy
  // handles those of its own system and says in one line why it ignores the
  // others'. step() hands one of them to its handler.
  using Messages = MessageGroup<RequestVote, Vote, PreVote, PreVoteReply, BrokerHeartbeat, BrokerHeartbeatReply, LeaderAndIsr, AlterPartition>;
  void step(const Envelope& in, Ready& out);
  virtual void on(const RequestVote& m, Address from, Ready& out) = 0;
  virtual void on(const Vote& m, Address from, Ready& out) = 0;
  virtual void on(const PreVote& m, Address from, Ready& out) = 0;
  virtual void on(const PreVoteReply& m, Address from, Ready& out) = 0;
  virtual void on(const BrokerHeartbeat& m, Address from, Ready& out) = 0;
  virtual void on(const BrokerHeartbeatReply& m, Address from, Ready& out) = 0;
  virtual void on(const LeaderAndIsr& m, Address from, Ready& out) = 0;
  virtual void on(const AlterPartition& m, Address from, Ready& out) = 0;
  // Whether a unit's leader may change during the run, and so a follower's
  // log be truncated (the node then keeps what truncation needs).
  virtual bool leaders_change() const = 0;

  // A follower's side.
  // What a replica does with a leader's append.
  virtual void on_append(UnitState& state, const Replicate& m, Address from, Ready& out) = 0;
  // A leader's append of the current term was accepted.
  virtual void on_leader_heard(UnitState& /*state*/, Ready& /*out*/) {}
  // A heartbeat of the current term's leader was accepted: whether it is
  // still catching up, and its last optime (MongoDB's catch-up takeover).
  virtual void on_leader_catching_up(UnitState& /*state*/, const EmptyAppend& /*m*/, Ready& /*out*/) {}
  // A replica answered the unit's leader at a newer term.
  virtual void on_newer_term(UnitState& state, Term term, Ready& out) = 0;
  // The leader a refused client is sent to (kNoNode: none named).
  virtual NodeId redirect_to(const UnitState& state) const = 0;

  // The node's role changes, for the policy's own bookkeeping.
  virtual void on_became_leader(UnitState& /*state*/, Ready& /*out*/) {}
  virtual void on_became_follower(UnitState& /*state*/, Ready& /*out*/) {}

  // A leader's counting.
  virtual LogIndex commit_index(const UnitState& state) const = 0;
  // The highest index whose writes may be acknowledged.
  virtual LogIndex acknowledgeable(const UnitState& state) const = 0;
  // Writes held that must fail instead (Kafka's NOT_ENOUGH_REPLICAS_AFTER_APPEND).
  virtual bool fails_held_writes(const Leading& lead) const = 0;
  // A follower out of the in-sync set rejoins it once it holds this index.
  virtual LogIndex rejoin_index(const UnitState& state) const = 0;
  // At each heartbeat, before it leaves, for each unit the node leads; and
  // once the heartbeats have left, with all of them.
  // May step the leader down (the node then no longer leads the unit).
  virtual void before_heartbeat(UnitState& /*state*/, Ready& /*out*/) {}
  virtual void after_heartbeats(const std::vector<UnitId>& /*led*/, Ready& /*out*/) {}

  // When a leader that heartbeats now next does so: `interval` later, or
  // at its ticker's next tick (etcd).
  virtual Time next_heartbeat(Time now, Time interval) const { return now + interval; }

  // For the node's accessors.
  virtual Time election_deadline(UnitId /*unit*/) const { return kNever; }
  virtual const KafkaController* controller() const { return nullptr; }
};

// The policy `failover` names: none (a fixed leader), Raft's votes, or a
// Kafka controller (failover.controller.enabled).
std::unique_ptr<LeadershipPolicy> make_leadership_policy(LeadershipHost& host, NodeId self,
                                                         const Placement& placement, WriteConcern concern,
                                                         int min_insync, const FailoverConfig& failover);

}  // namespace replisim
