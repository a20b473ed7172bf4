// Multi-leader replication (one writable leader per datacenter): every leader
// accepts writes to the whole key space, acknowledges them once its own
// followers hold enough copies (the local write concern), and ships them to
// the other leaders asynchronously — at once, or batched every replication
// interval. Each key carries a version vector, so a leader tells exactly
// whether an incoming write happened after, before, or concurrently with the
// one it holds; concurrent writes conflict and are resolved last-writer-wins
// by (timestamp, leader id), the same on every leader, so all converge.
//
// Acknowledged syncs (off by default): a LeaderSync lost to a partition or a
// crash is otherwise never resent, so leaders cut off from each other diverge
// for good. With them, each leader keeps, per other leader, the keys of its
// own writes that leader has not acknowledged (durable: the records are in
// its log), resends their current records every sync_retry seconds until a
// LeaderSyncAck covers them, and at once when that leader comes back.
#pragma once
#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

#include "protocols/client/client.hpp"
#include "protocols/common/membership.hpp"
#include "protocols/common/timeout_detector.hpp"
#include "protocols/common/state_machine.hpp"
#include "protocols/common/write_concern.hpp"

namespace replisim {

// Who leads and who follows whom: leaders[i] is leader i (its index in every
// version vector); followers_of[i] are the nodes that apply its writes.
struct LeaderGroups {
  std::vector<NodeId> leaders;
  std::vector<std::vector<NodeId>> followers_of;
  int leader_index(NodeId node) const;       // -1 for a follower
  NodeId leader_of(NodeId follower) const;   // kNoNode if none
};

struct MultiLeaderConfig {
  WriteConcern local_concern = WriteConcern::one;  // counted among the leader and its followers
  Time replication_interval = 0;                   // 0: ship every write at once
  bool acked_sync = false;  // leaders acknowledge syncs; unacknowledged records are resent
  Time sync_retry = 1.0;    // with acked_sync: seconds between resends of what is unacknowledged
  // Per leader index, how far its clock is ahead of true time (seconds,
  // negative: behind); empty, or a missing leader: a perfect clock. The
  // clock stamps the leader's writes, so skew decides which of two
  // concurrent writes last-writer-wins keeps.
  std::vector<Time> clock_offset;
};

// One write a leader accepted, and when each leader first held it.
struct AcceptedWrite {
  Key key = 0;
  int leader = 0;               // index of the leader that accepted it
  std::uint64_t counter = 0;    // its position among that leader's writes of the key
  Version version = 0;          // its last-writer-wins stamp
  std::vector<std::uint64_t> writer_seen;  // its version vector when written: what it saw
};

class MultiLeaderNode final : public NodeMachine {
public:
  // `membership` (optional) tells which leaders are up: resends skip those
  // that are down, and go at once to one that comes back.
  // With `peers` (the timeout detector: each leader convicts another
  // --detector-timeout after its last heartbeat, all at the same instant),
  // the leaders follow its view instead of the membership.
  MultiLeaderNode(NodeId self, const LeaderGroups& groups, MultiLeaderConfig config,
                  const Membership* membership = nullptr, TimeoutDetector* peers = nullptr);

  Ready step(const Envelope& in, Time now) override;
  Ready on_timer(TimerId id, Time now) override;
  const NodeCounters& counters() const override { return counters_; }
  // Pending client writes and unshipped batches are lost; records (and, with
  // acked syncs, what each other leader has not acknowledged) are durable.
  void crash(Time now) override;
  // Resumes: resends whatever other leaders have not acknowledged.
  Ready recover(Time now) override;
  // A leader that came back gets what it has not acknowledged at once.
  Ready membership_changed(Time now) override;

  bool is_leader() const { return index_ >= 0; }
  const std::unordered_map<Key, KeyRecord>& records() const { return records_; }
  const std::vector<AcceptedWrite>& accepted() const { return accepted_; }
  // (key, leader, counter) → when this node first held that write.
  const std::vector<std::pair<AcceptedWrite, Time>>& applied() const { return applied_; }
  // Conflicting pairs of writes this leader resolved, by their stamps (smaller first).
  const std::vector<std::pair<Version, Version>>& conflicts() const { return conflicts_; }
  bool has_unsent_writes() const { return !dirty_.empty(); }
  // With acked syncs: whether some other leader has not acknowledged one of
  // this leader's writes (always false without them).
  bool has_unacknowledged_syncs() const;
  // Keys of this leader's writes that leader `l` (an index) has not acknowledged.
  std::vector<Key> unacknowledged(int l) const;

private:
  struct PendingWrite {
    Address client;
    OpId op = 0;
    Version version = 0;
    int acks = 1;  // the leader itself
  };

  void on(const ClientWrite& m, Address from, Time now, Ready& out);
  void on(const ClientRead& m, Address from, Time now, Ready& out);
  void on(const LeaderSync& m, Address from, Time now, Ready& out);
  void on(const FollowerUpdate& m, Address from, Time now, Ready& out);
  void on(const FollowerAck& m, Address from, Time now, Ready& out);
  void on(const LeaderSyncAck& m, Address from, Time now, Ready& out);
  // Replies go to clients; leader queries come only from clients of the
  // leader-based models; the other families are other models' messages.
  using Ignored = IgnoredMessages<ClientReplies, LeaderQueries, LogReplication, RaftElections, KafkaControl,
                                  LeaderlessReplication, ChainReplication, FailureDetection>;

  // Merges `incoming` into the held record of its key; returns whether it changed.
  bool merge(const KeyRecord& incoming, Time now);
  void note_applied(const KeyRecord& before, const KeyRecord& after, Time now);
  void ship(Key key, Time now, Ready& out);
  void send_sync(Ready& out);
  void acknowledge_if_done(OpId request, Time now, Ready& out);
  // Acked syncs: sends leader l the current records of what it has not
  // acknowledged, and keeps the resend timer armed while anything is.
  void resend(int l, Ready& out);
  void arm_resend(Time now, Ready& out);
  bool leader_up(int l) const;
  // What this leader's clock reads at true time `now`.
  Time clock(Time now) const;
  Address self() const { return Address::node(self_); }

  NodeId self_;
  const LeaderGroups& groups_;
  MultiLeaderConfig config_;
  const Membership* membership_;
  TimeoutDetector* peers_;  // null: the membership oracle
  std::vector<bool> seen_up_;  // per leader index: up when the membership last changed
  int index_;  // leader index, -1 for a follower
  int needed_ = 1;
  std::unordered_map<Key, KeyRecord> records_;          // durable
  std::unordered_map<OpId, PendingWrite> pending_;      // volatile
  std::vector<Key> dirty_;                              // keys written since the last sync
  bool sync_timer_set_ = false;
  // Acked syncs, durable (derived from the log): per other leader's index,
  // key → this leader's write count of the key when last shipped to it.
  std::vector<std::map<Key, std::uint64_t>> unacked_;
  bool resend_timer_set_ = false;
  // Follower request ids keep growing across a crash, so that an ack from
  // before it never counts for a new write.
  OpId next_request_ = 1;
  Version last_stamp_ = 0;  // of this leader's latest write
  std::vector<AcceptedWrite> accepted_;
  std::vector<std::pair<AcceptedWrite, Time>> applied_;
  std::vector<std::pair<Version, Version>> conflicts_;
  NodeCounters counters_;
};

// Last-writer-wins order of two records of one key: the larger stamp wins
// (stamps embed the leader id, so there are no ties).
bool wins_over(const KeyRecord& a, const KeyRecord& b);
// Whether version vector a ≤ b in every component.
bool dominated_by(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b);

}  // namespace replisim

namespace replisim {

// Clients write to the leader nearest to them by route latency, or to a
// random leader. With a membership, only among leaders that are up (the
// nearest live one, or a random live one); a retry goes to the next live
// leader after the one that failed.
class LeaderRouter final : public Router {
public:
  LeaderRouter(const LeaderGroups& groups, bool random, const std::vector<double>& latency_to_node,
               const Membership* membership = nullptr);
  NodeId route(OpKind kind, UnitId unit, Rng& rng) const override;
  // Every leader is a primary of the whole key space.
  NodeId primary(const Placement&, UnitId, NodeId coordinator) const override { return coordinator; }
  NodeId retry_target(OpKind kind, UnitId unit, NodeId previous, const Placement& placement,
                      Rng& rng) const override;

private:
  bool up(NodeId node) const { return membership_ == nullptr || membership_->alive.at(node); }

  const LeaderGroups& groups_;
  bool random_;
  const Membership* membership_;
  std::vector<NodeId> by_latency_;  // leaders, nearest first (ties: the earlier leader)
  NodeId nearest_ = kNoNode;
};

}  // namespace replisim
