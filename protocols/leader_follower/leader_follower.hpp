// Leader-follower replication of a unit's log, the write path shared by
// MongoDB replica sets (one unit per node: the shard) and Kafka partitions
// (many units per node); what differs between the two models is the placement
// of units on nodes and the ack rule. The leader orders every write of the
// unit into a log, pushes each entry to the other replicas, and acknowledges
// the client once the write concern's count of replicas holds it. Followers
// apply entries in log order and acknowledge cumulatively.
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
// With a Kafka controller (FailoverConfig::kafka, leader_follower_controlled.cpp)
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
#include <deque>
#include <map>
#include <unordered_map>
#include <vector>

#include "protocols/kafka/controller_finder.hpp"
#include "protocols/raft/election.hpp"
#include "protocols/common/fifo.hpp"
#include "protocols/kafka/kafka_controller.hpp"
#include "protocols/common/on_demand.hpp"
#include "protocols/common/placement.hpp"
#include "protocols/raft/raft_log.hpp"
#include "protocols/common/rng.hpp"
#include "protocols/common/state_machine.hpp"
#include "protocols/common/unit_table.hpp"
#include "protocols/common/write_concern.hpp"
#include "protocols/leader_follower/progress.hpp"

namespace replisim {

class LeaderFollowerNode final : public NodeMachine {
public:
  // Entries a leader resends per round trip to a follower that is behind.
  static constexpr LogIndex kCatchUpBatch = 64;

  // `min_insync` (Kafka's min.insync.replicas) applies to WriteConcern::all:
  // a write is refused at once when fewer replicas are in sync. Without
  // failures every replica is in sync.
  // `compact_logs`: discard the entries every replica holds and that are
  // committed (see above); off keeps every log whole, for audits that read them.
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
  // With a Kafka controller: whether this node is the active controller, and its decisions.
  bool is_controller() const { return controller_.active(); }
  const KafkaController& controller() const { return controller_; }

private:
  static constexpr TimerId kHeartbeatTimer = ~TimerId{0};  // election timers: the unit's id
  static constexpr TimerId kBrokerTimer = ~TimerId{1};      // a broker's heartbeat to its controller
  static constexpr TimerId kControllerTimer = ~TimerId{2};  // the controller's fencing and rebalance checks

  struct PendingWrite {
    LogIndex index;
    Address client;
    OpId op;
    Version version;
  };
  // Survives a crash: the unit's term, the vote cast in it, and its log;
  // with a controller, the state it last sent (KRaft brokers keep the
  // metadata log on disk).
  struct Durable {
    Term term = 1;
    NodeId voted_for = kNoNode;
    Log log;
    OnDemand<PartitionState> known;  // with a controller only
  };
  // A leader's view of its replicas, per replica in replica-set order. Lost on a crash.
  struct Leading {
    std::vector<Progress> replicas;
    bool writable = true;
    LogIndex term_start = 0;  // the index of the no-op that opened the leader's term
    NodeId fetch_from = kNoNode;  // catch-up: the replica ahead, whose next answer ends it
    Time fetch_sent = 0;
    Fifo<PendingWrite> pending;  // unacknowledged writes, by index
  };
  // Lost on a crash.
  struct Volatile {
    ReplicaRole role = ReplicaRole::follower;
    NodeId leader = kNoNode;
    OnDemand<Leading> lead;  // a leader's only: followers hold none
    OnDemand<VoteTally> votes;            // candidate
    std::map<LogIndex, Replicate> early;  // follower: entries that arrived ahead of a gap
    LogIndex commit = 0;
    LogIndex verified = 0;  // follower: its log matches this term's leader's up to here
    Time election_deadline = kNever;
    Time timer_armed = kNever;  // the deadline of the election timer set last
  };
  struct UnitState {
    UnitId id = 0;
    Durable durable;
    Volatile vol;
  };
  // One handler per message type (called through std::visit).
  void on(const ClientWrite& m, Address from, Ready& out);
  void on(const ClientRead& m, Address from, Ready& out);
  void on(const Replicate& m, Address from, Ready& out);
  void on(const ReplicateAck& m, Address from, Ready& out);
  void on(const RequestVote& m, Address from, Ready& out);
  void on(const Vote& m, Address from, Ready& out);
  void on(const Heartbeat& m, Address from, Ready& out);
  void on(const HeartbeatReply& m, Address from, Ready& out);
  void on(const BrokerHeartbeat& m, Address from, Ready& out);
  void on(const BrokerHeartbeatReply& m, Address from, Ready& out);
  void on(const LeaderAndIsr& m, Address from, Ready& out);
  void on(const AlterPartition& m, Address from, Ready& out);
  void on(const auto&, Address, Ready&) {}  // replies and other models' messages

  // leader_follower.cpp: state, the client's requests, the fixed-leader path.
  UnitState* unit_state(UnitId unit);
  const UnitState& unit_state_or_throw(UnitId unit) const;
  int position(UnitId unit, NodeId node) const;  // in the unit's replica set; -1 if absent
  int replica_count(UnitId unit) const { return static_cast<int>(placement_.replicas(unit).size()); }
  bool elections() const { return failover_.enabled; }  // Raft's appends, by votes or a controller
  bool controlled() const { return failover_.controller.enabled; }
  bool voting() const { return elections() && !controlled(); }
  void set_fixed_roles(UnitState& state);
  void init_leading(UnitState& state);
  const Progress* progress_of(UnitId unit, NodeId replica) const;  // leader only
  void append(UnitState& state, const LogEntry& entry, Ready& out);
  void apply(UnitState& state, const LogEntry& entry);
  void send_entry(const UnitState& state, NodeId to, LogIndex index, Ready& out) const;
  void follow_fixed_leader(UnitState& state, const Replicate& m, Address from, Ready& out);
  void record_progress(UnitState& state, int replica, LogIndex match, Ready& out);
  LogIndex acknowledgeable(const UnitState& state) const;
  void acknowledge_committed(UnitState& state, Ready& out);

  // leader_follower_append.cpp: Raft's log replication (§5.3), heartbeats, catch-up.
  void follow_append(UnitState& state, const Replicate& m, Address from, Ready& out);
  ReplicateAck follow_empty_append(UnitState& state, const EmptyAppend& m, NodeId from, Ready& out);
  bool accept_entry(UnitState& state, LogIndex index, const LogEntry& entry);
  std::uint32_t drain_early(UnitState& state);
  void learn_commit(UnitState& state, LogIndex leader_commit);
  ReplicateAck ack_of(const UnitState& state) const;
  ReplicateAck refusal_of(const UnitState& state, LogIndex rejected, LogIndex hint) const;
  void on_leader_ack(UnitState& state, const ReplicateAck& m, NodeId from, Ready& out);
  void back_up(UnitState& state, int replica, LogIndex rejected, LogIndex hint, Ready& out);
  void send_batch(UnitState& state, int replica, Ready& out);
  void note_catch_up_report(UnitState& state, int replica, LogIndex last, Ready& out);
  void finish_catch_up_if_heard(UnitState& state, Ready& out);
  void give_up_catch_up(UnitState& state, Ready& out);
  void start_writing(UnitState& state, Ready& out);
  void heartbeat_tick(Ready& out);
  void send_heartbeats(const std::vector<UnitId>& units, Ready& out);
  void expire_in_sync(UnitState& state, Ready& out);
  void arm_heartbeat(Ready& out);
  void truncate(UnitState& state, LogIndex from);
  void compact(UnitState& state, LogIndex through);

  // leader_follower_election.cpp: terms, votes and roles (§5.1, §5.2, §5.4.1).
  void on_election_timer(UnitState& state, Ready& out);
  void campaign(UnitState& state, Ready& out);
  void become_leader(UnitState& state, Ready& out);
  void take_lead(UnitState& state, Ready& out);
  void become_follower(UnitState& state, Term term, NodeId leader, Ready& out);
  bool follow(UnitState& state, Term term, NodeId leader, Ready& out);
  void fail_pending(UnitState& state, NodeId leader, Ready& out);
  void reset_election_deadline(UnitState& state, Ready& out);
  void arm_election_timer(UnitState& state, Ready& out);
  void event(RoleEvent::Kind kind, const UnitState& state, Term term);

  // leader_follower_controlled.cpp: a Kafka controller's partition states, the broker's side.
  void start_controlled(Ready& out);
  void recover_controlled(Ready& out);
  void broker_tick(Ready& out);
  void send_broker_heartbeat(Ready& out);
  void arm_broker_heartbeat(Ready& out);
  BrokerHeartbeat registration() const;
  void take_over(Ready& out);
  void controller_tick(Ready& out);
  void publish(Ready& out);
  void apply_partition(UnitState& state, const PartitionState& decided, Ready& out);
  void lead_epoch(UnitState& state, Term epoch, Ready& out);
  void adopt_isr(UnitState& state);
  void propose_isr(const std::vector<UnitId>& led, Ready& out);

  Address self() const { return Address::node(self_); }

  NodeId self_;
  const Placement& placement_;
  WriteConcern concern_;
  int min_insync_;
  FailoverConfig failover_;
  bool compact_logs_;
  Rng rng_;  // election timeouts
  std::vector<UnitId> my_units_;  // ascending: every walk over units is in this order
  UnitTable<UnitState> units_;
  std::unordered_map<Key, Version> data_;
  // With elections and compaction: per key, the newest version among the
  // entries discarded from its unit's log, which a truncation of the entries
  // after them goes back to (without elections nothing is ever truncated).
  std::unordered_map<Key, Version> discarded_versions_;
  Time heartbeat_armed_ = kNever;
  KafkaController controller_;  // active on the controller's node only
  ControllerFinder finder_;
  Time broker_armed_ = kNever;
  Time controller_armed_ = kNever;
  NodeCounters counters_;
  Time now_ = 0;  // the time of the input being handled
};

}  // namespace replisim
