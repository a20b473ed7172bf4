// One state machine for MongoDB replica sets (one unit per node: the shard)
// and Kafka partitions (many units per node), because they share their write
// path: a unit's leader orders its writes into a log, pushes each entry to
// the other replicas and answers the client once the write concern allows.
// They differ in where units are placed, in the ack rule, and in who picks
// the leader, which is the node's LeadershipPolicy, chosen once from its
// FailoverConfig. How the node is built, and the rules each system keeps:
// docs/models/leader-follower.md, "How the state machine is built".
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
#include "protocols/leader_follower/read_concern.hpp"

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
  // `reads`: what a read returns (read_concern.hpp).
  LeaderFollowerNode(NodeId self, const Placement& placement, WriteConcern concern, int min_insync = 1,
                     FailoverConfig failover = FailoverConfig::none(), bool compact_logs = true,
                     ReadConcern reads = ReadConcern::local);

  // The write a replica holds for a key: its version, its identity (the
  // client op that wrote it), and its log entry's term and index.
  struct HeldWrite {
    Version version = 0;
    OpId op = 0;
    Term term = 0;
    LogIndex index = 0;
  };

  Ready start(Time now) override;
  Ready step(const Envelope& in, Time now) override;
  Ready on_timer(TimerId id, Time now) override;
  void crash(Time now) override;
  Ready recover(Time now) override;

  const NodeCounters& counters() const override { return counters_; }
  NodeId id() const { return self_; }
  const FailoverConfig& failover() const { return failover_; }
  Version version_of(Key key) const;
  // The newest write of `key` applied (local reads), and the newest that
  // reads bounded by the read concern may return; version 0: none.
  HeldWrite held(Key key) const;
  HeldWrite visible_write(Key key) const;
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
  // Where leaders change: the client writes (op ids) whose entries a
  // truncation removed from this node's logs, in the order removed (with
  // repeats if one was removed twice). A measurement: kept across crashes.
  const std::vector<OpId>& truncated_ops() const { return truncated_ops_; }
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

  // The write path's messages and heartbeats, with the signature every
  // node's handlers share (this node's read the time as now_, as the hooks
  // its policy calls do); the messages of who leads go to the policy.
  void on(const ClientWrite& m, Address from, Time now, Ready& out);
  void on(const ClientRead& m, Address from, Time now, Ready& out);
  void on(const LeaderQuery& m, Address from, Time now, Ready& out);
  void on(const Replicate& m, Address from, Time now, Ready& out);
  void on(const ReplicateAck& m, Address from, Time now, Ready& out);
  void on(const Heartbeat& m, Address from, Time now, Ready& out);
  void on(const HeartbeatReply& m, Address from, Time now, Ready& out);
  // Replies go to clients; the other families are other models' messages.
  using Ignored =
      IgnoredMessages<ClientReplies, LeaderlessReplication, MultiLeaderReplication, ChainReplication, FailureDetection>;

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

  // leader_follower_read.cpp: reads and the snapshot they may return.
  ReadReply reply_of(const ClientRead& m, const UnitState& state, const HeldWrite& w, bool committed) const;
  void start_linearizable_read(UnitState& state, const ClientRead& m, Address from, Ready& out);
  void answer_reads(UnitState& state, Ready& out);
  void set_visible(UnitState& state, LogIndex visible);  // never backwards; applies the snapshot
  void learn_visible(UnitState& state, LogIndex leader_visible);  // follower: from its leader's append
  void leader_visible(UnitState& state);
  void unapply_visible(UnitState& state, LogIndex from, const std::vector<Key>& keys);
  HeldWrite held_in_log(const UnitState& state, Key key, LogIndex through) const;

  // leader_follower_catch_up.cpp: MongoDB's catch-up of a new leader.
  void on(const CatchUpFetch& m, Address from, Time now, Ready& out);
  void on(const CatchUpEntries& m, Address from, Time now, Ready& out);
  void note_catch_up_report(UnitState& state, int replica, const ReplicateAck& m, Ready& out);
  void finish_catch_up_if_heard(UnitState& state, Ready& out);
  void send_fetch(UnitState& state, Ready& out);
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
  ReadConcern reads_;
  std::vector<UnitId> my_units_;  // ascending: every walk over units is in this order
  UnitTable<UnitState> units_;
  std::unordered_map<Key, HeldWrite> data_;
  // With a read concern other than local: per key, the newest write up to
  // its unit's Durable::visible_applied.
  std::optional<std::unordered_map<Key, HeldWrite>> visible_data_;
  // Only where leaders change (and compaction is on): per key, the newest
  // write among the entries discarded from its unit's log, which a
  // truncation of the entries after them goes back to.
  std::optional<std::unordered_map<Key, HeldWrite>> discarded_versions_;
  std::vector<OpId> truncated_ops_;
  Time heartbeat_armed_ = kNever;
  NodeCounters counters_;
  Time now_ = 0;  // the time of the input being handled
  std::unique_ptr<LeadershipPolicy> policy_;  // last: it holds a reference to the node
};

}  // namespace replisim
