// Leader-follower replication of a unit's log, the write path shared by
// MongoDB replica sets (one unit per node: the shard) and Kafka partitions
// (many units per node); what differs between the two models is the placement
// of units on nodes and the ack rule. The leader orders every write of the
// unit into a log, pushes each entry to the other replicas, and acknowledges
// the client once the write concern's count of replicas holds it. Followers
// apply entries in log order and acknowledge cumulatively. Who leads is the
// node's LeadershipPolicy (leadership_policy.hpp), chosen once from its
// FailoverConfig: a fixed leader, Raft's votes or a Kafka controller.
//
// Without failover (the default) each unit's primary (storage role) is its
// leader (write role) at term 1 for the whole run: no timer, no heartbeat,
// the messages of before elections existed, and a crashed node comes back in
// the role it had (with nothing resent: entries lost meanwhile stay lost).
//
// With failover (FailoverConfig), each unit elects its leader after Raft
// (Ongaro and Ousterhout, USENIX ATC 2014). The primary leads term 1 from the
// start (announced by heartbeats, without an election); a follower that hears no leader for its election timeout stands for
// the next term (§5.2); voters grant one vote per term, to candidates whose
// log is at least as up to date as theirs (§5.4.1); appends carry the previous
// entry's term, a follower refuses one its log does not match and truncates
// entries that conflict (§5.3); a leader commits an entry of its own term
// once a majority holds it (§5.4.2), and writes a no-op entry when it takes
// over (§8) so entries of earlier terms commit without waiting for a client.
//  - Client acknowledgement: w:1 / acks=1 once the leader has appended (such
//    a write can be lost on failover); majority once committed; all once
//    committed and held by every in-sync replica (see
//    FailoverConfig::replica_lag_max). Without failover the rules are
//    today's: the write concern's count of replicas.
//  - A write sent to a replica that is not the unit's writable leader is
//    refused at once, naming the leader it knows of (kNoNode: none, or the
//    refusing node is itself a leader still catching up).
//  - A leader that steps down fails its pending writes at once with
//    WriteReply{ok = false, leader = the new leader if known}, as MongoDB
//    fails them with InterruptedDueToReplStateChange. They may or may not
//    commit later under the new leader: a client must treat them as unknown.
//  - MongoDB catch-up (FailoverConfig::catch_up): a new leader first sends
//    heartbeats, and takes writes only once a majority of the replicas (itself
//    included) has reported its last index and its own log is at least the
//    longest of those reports. When a reporter is ahead, MongoDB copies the
//    missing entries from it; here only its time is modelled: one more
//    heartbeat round trip to that replica (given up after one heartbeat
//    interval, where MongoDB's catchUpTimeoutMillis is unbounded), after
//    which the leader takes writes, opening its term with its no-op (and,
//    being Raft, truncates the entries it lacked, which were never
//    committed).
//  - Heartbeats are batched: one Heartbeat per (leader node, follower node)
//    pair every interval, with an EmptyAppend for each unit they share; a
//    follower behind the leader refuses it, and the leader backs up its
//    next_index and probes with one entry at a time until the logs match
//    (etcd's probe state), then resends the missing entries, at most
//    kCatchUpBatch per round trip.
//  - Log compaction (compact_logs, on unless the caller turns it off): the
//    leader computes the entries every replica holds and that are committed
//    (compactable()), discards them from its log and tells the followers how
//    far it discarded in every append and heartbeat (Replicate::compacted,
//    EmptyAppend::compacted), as etcd/raft carries the commit index in
//    MsgApp; a follower discards up to that point, no further than its own
//    commit index. A replica that is down or behind holds compaction back
//    for its units (its match index does not move), as in Raft without
//    snapshots: no leader ever has to resend a discarded entry. The values
//    served (data_) stay; the log keeps the discarded entries' terms.
//  - crash() loses the volatile state (roles, pending writes, next and match
//    indexes, early entries, commit index); the log, term and vote survive.
//    recover() comes back as a follower of the durable term with a fresh
//    election timer. A crashed node is told nothing until recover(): the
//    driver forgets its timers and inbox. membership_changed() is not used:
//    failures are detected by election timeouts, as Raft and MongoDB do.
//
// With a Kafka controller (FailoverConfig::kafka, kafka_controlled.hpp)
// there are no votes and no election timers: one node, the controller
// (kafka_controller.hpp), chooses each partition's leader and its epoch (the
// unit's term) and sends them in LeaderAndIsr messages; every node is also a
// broker that heartbeats the controller. The appends are Raft's, as above,
// which repairs a follower's log after a change of leader. What differs:
//  - The ISR is the controller's: a leader proposes changes (AlterPartition)
//    at its heartbeats, adds a follower that caught up (to the high
//    watermark and past the start of the leader's epoch) to its own in-sync
//    set at once but drops one (silent for replica_lag_max) only once the
//    controller has, so that every replica the controller may choose holds
//    every acknowledged write.
//  - The commit index is Kafka's high watermark: the entries every in-sync
//    replica holds (majority is not a Kafka setting and acts as all). A
//    write whose ISR shrank below min_insync by the time it is held fails
//    (Kafka's NOT_ENOUGH_REPLICAS_AFTER_APPEND).
//  - A new leader still opens its epoch with a no-op entry.
//  - recover() comes back leading nothing and registers with the controller.
#pragma once
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "protocols/common/placement.hpp"
#include "protocols/common/state_machine.hpp"
#include "protocols/common/unit_table.hpp"
#include "protocols/common/write_concern.hpp"
#include "protocols/kafka/kafka_controller.hpp"
#include "protocols/leader_follower/leadership_host.hpp"
#include "protocols/leader_follower/leadership_policy.hpp"

namespace replisim {

class LeaderFollowerNode final : public NodeMachine, private LeadershipHost {
public:
  // Entries a leader resends per round trip to a follower that is behind.
  static constexpr LogIndex kCatchUpBatch = 64;

  // `min_insync` (Kafka's min.insync.replicas) applies to WriteConcern::all:
  // a write is refused at once when fewer replicas are in sync. Without
  // failures every replica is in sync.
  // `compact_logs`: discard the entries every replica holds and that are
  // committed; off keeps every log whole, for audits that read them.
  LeaderFollowerNode(NodeId self, const Placement& placement, WriteConcern concern, int min_insync = 1,
                     FailoverConfig failover = FailoverConfig::none(), bool compact_logs = true);

  Ready start(Time now) override;
  Ready step(const Envelope& in, Time now) override;
  Ready on_timer(TimerId id, Time now) override;
  void crash(Time now) override;
  Ready recover(Time now) override;

  const NodeCounters& counters() const override { return counters_; }
  NodeId id() const { return self_; }
  const FailoverConfig& failover() const { return failover_; }
  Version version_of(Key key) const;
  // The following throw std::out_of_range when this node holds no replica of the unit.
  NodeId leader_of(UnitId unit) const;  // the leader this node knows of; kNoNode: none
  ReplicaRole role_of(UnitId unit) const;
  Term term_of(UnitId unit) const;
  NodeId voted_for(UnitId unit) const;  // at term_of(unit); kNoNode: no vote
  const Log& log_of(UnitId unit) const;
  LogIndex commit_index(UnitId unit) const;  // as far as this node knows (volatile)
  // Entries applied to the data: the whole log (a replica applies an entry
  // when it appends it, as MongoDB's secondaries apply the oplog, so reads
  // see uncommitted writes; truncation un-applies).
  LogIndex last_applied(UnitId unit) const;
  LogIndex applied_index(UnitId unit) const { return last_applied(unit); }
  bool accepting_writes(UnitId unit) const;  // the unit's leader, caught up
  // Leader only (0 otherwise): its next and match index for a replica of the unit.
  LogIndex next_index(UnitId unit, NodeId replica) const;
  LogIndex match_index(UnitId unit, NodeId replica) const;
  bool in_sync(UnitId unit, NodeId replica) const;  // leader only
  // When this follower or candidate stands for election next; kNever otherwise.
  Time election_deadline(UnitId unit) const;
  // With a Kafka controller: whether this node is the active controller, and
  // its decisions (controller() throws std::logic_error without one).
  bool is_controller() const;
  const KafkaController& controller() const;

private:
  // LeadershipHost: what the policy may ask of the node.
  Time now() const override { return now_; }
  UnitState* find_unit(UnitId unit) override;
  UnitState& unit(UnitId unit) override { return units_.at(unit); }
  void report_role(const RoleEvent& event) override { report(event); }
  void place_roles(UnitState& state) override;
  void take_lead(UnitState& state, Ready& out) override;
  void start_writing(UnitState& state, Ready& out) override;
  void catch_up(UnitState& state, Ready& out) override;
  void become_follower(UnitState& state, Term term, NodeId leader, Ready& out) override;
  void follow_append(UnitState& state, const Replicate& m, Address from, Ready& out) override;
  void apply_replicated(UnitState& state, const LogEntry& entry, Ready& out) override;
  void compact(UnitState& state, LogIndex through) override;
  void send_heartbeats(const std::vector<UnitId>& units, Ready& out) override;
  void acknowledge_committed(UnitState& state, Ready& out) override;

  // The write path's messages; every other goes to the policy (step).
  void on(const ClientWrite& m, Address from, Ready& out);
  void on(const ClientRead& m, Address from, Ready& out);
  void on(const Replicate& m, Address from, Ready& out);
  void on(const ReplicateAck& m, Address from, Ready& out);
  void on(const Heartbeat& m, Address from, Ready& out);
  void on(const HeartbeatReply& m, Address from, Ready& out);

  // leader_follower.cpp: the node's state and its accessors.
  const UnitState& unit_state_or_throw(UnitId unit) const;
  const Progress* progress_of(UnitId unit, NodeId replica) const;  // leader only

  // leader_follower_write.cpp: a leader's log and its acknowledgements.
  void apply(UnitState& state, const LogEntry& entry);
  void append(UnitState& state, const LogEntry& entry, Ready& out);
  void send_entry(const UnitState& state, NodeId to, LogIndex index, Ready& out) const;
  void record_progress(UnitState& state, int replica, LogIndex match, Ready& out);
  void truncate(UnitState& state, LogIndex from);

  // leader_follower_append.cpp: Raft's log replication (§5.3) and heartbeats.
  ReplicateAck follow_empty_append(UnitState& state, const EmptyAppend& m, NodeId from, Ready& out);
  bool accept_entry(UnitState& state, LogIndex index, const LogEntry& entry);
  std::uint32_t drain_early(UnitState& state);
  void learn_commit(UnitState& state, LogIndex leader_commit);
  ReplicateAck ack_of(const UnitState& state) const;
  ReplicateAck refusal_of(const UnitState& state, LogIndex rejected, LogIndex hint) const;
  void on_leader_ack(UnitState& state, const ReplicateAck& m, NodeId from, Ready& out);
  void back_up(UnitState& state, int replica, LogIndex rejected, LogIndex hint, Ready& out);
  void send_batch(UnitState& state, int replica, Ready& out);
  void heartbeat_tick(Ready& out);
  void arm_heartbeat(Ready& out);

  // leader_follower_catch_up.cpp: MongoDB's catch-up of a new leader.
  void note_catch_up_report(UnitState& state, int replica, LogIndex last, Ready& out);
  void finish_catch_up_if_heard(UnitState& state, Ready& out);
  void give_up_catch_up(UnitState& state, Ready& out);

  // leader_follower_roles.cpp: the changes of role the policy decides.
  void init_leading(UnitState& state);
  bool follow(UnitState& state, Term term, NodeId leader, Ready& out);
  void fail_pending(UnitState& state, NodeId leader, Ready& out);
  void event(RoleEvent::Kind kind, const UnitState& state, Term term);

  Address self() const { return Address::node(self_); }

  NodeId self_;
  const Placement& placement_;
  WriteConcern concern_;
  int min_insync_;
  FailoverConfig failover_;
  bool compact_logs_;
  std::vector<UnitId> my_units_;  // ascending: every walk over units is in this order
  UnitTable<UnitState> units_;
  std::unordered_map<Key, Version> data_;
  // Only where leaders change (and compaction is on): per key, the newest
  // version among the entries discarded from its unit's log, which a
  // truncation of the entries after them goes back to.
  std::optional<std::unordered_map<Key, Version>> discarded_versions_;
  Time heartbeat_armed_ = kNever;
  NodeCounters counters_;
  Time now_ = 0;  // the time of the input being handled
  std::unique_ptr<LeadershipPolicy> policy_;  // last: it holds a reference to the node
};

}  // namespace replisim
