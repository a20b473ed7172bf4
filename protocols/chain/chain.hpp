// Chain replication (van Renesse and Schneider, OSDI 2004) with the option of
// CRAQ reads (Terrace and Freedman, USENIX ATC 2009). A unit's replicas, in
// placement order, form its chain: the head takes every write of the unit
// (the write role, the leader) and the tail holds the committed copy that
// reads trust (the storage role, the primary). An update goes head → … →
// tail, each node applying it in the unit's sequence; the tail commits it,
// answers the client and sends an acknowledgement back up the chain, so every
// node learns which of its versions are committed (clean) and which are not
// yet (dirty).
//
// Failures (§3 of the paper), with the membership oracle as the paper's
// master: each node's chain of a unit is the unit's replicas in placement
// order, skipping nodes that are down. When a node fails its neighbours
// repair the chain: on a head failure the successor becomes the head; on a
// tail failure the predecessor becomes the tail and commits what it holds,
// answering the clients the old tail would have; on a middle failure the
// predecessor resends its new successor every update not yet acknowledged
// (its Sent list: the log after its committed point). A node that comes back
// rejoins at its place in placement order: it asks a live neighbour (its
// predecessor, or its successor when it comes back as the head) for every
// update after its committed prefix, replaces the rest of its log with them,
// and holds the client requests and updates its place brings it until it has
// caught up. The head of a unit is reported (RoleEvent) with the unit's
// configuration epoch, which every node advances when the unit's live chain
// changes.
//
// Log compaction (ChainConfig::compact_logs): a node discards the updates up
// to its committed point. Without failures nothing reads them again (a
// middle or tail failure resends or answers only updates after the committed
// point), but a node that comes back from a crash asks its neighbour for
// every update after its own committed prefix, which the neighbour cannot
// know while it is down: so compaction is for runs without crashes (the
// model turns it on when no fault is scheduled), and a neighbour asked for
// an update it discarded throws std::out_of_range.
#pragma once
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "protocols/common/membership.hpp"
#include "protocols/common/placement.hpp"
#include "protocols/common/state_machine.hpp"
#include "protocols/common/suffix_log.hpp"
#include "protocols/common/timeout_detector.hpp"
#include "protocols/common/unit_table.hpp"

namespace replisim {

// Where reads are served. `tail`: at the tail only (§2: "queries are directed
// to the tail"). `craq`: at any replica; one holding a dirty version asks the
// tail which version is committed (CRAQ §2.3).
enum class ChainReads : std::uint8_t { tail, craq };
ChainReads parse_chain_reads(const std::string& text);
std::string to_string(ChainReads reads);

struct ChainConfig {
  ChainReads reads = ChainReads::tail;
  bool compact_logs = false;  // discard committed updates: only for runs where no node crashes (see above)
};

// One update of a unit, as every node of its chain applies it, with the
// client that wrote it, so that a node that becomes the tail can answer the
// updates still in flight (§3).
struct ChainEntry {
  Key key = 0;
  Version version = 0;
  Address client;  // kind node: unknown (an update that reached a catching-up node already committed)
  OpId op = 0;
  friend bool operator==(const ChainEntry&, const ChainEntry&) = default;
};
using ChainLog = SuffixLog<ChainEntry>;  // entry i has sequence number i

class ChainNode final : public NodeMachine {
public:
  // `membership` (optional: everyone up for good without it) says which
  // nodes are up; the chains follow it. With `master` (the timeout detector,
  // the paper's master), the chains follow the master's view instead, which
  // convicts a failed node only --detector-timeout after its last heartbeat.
  ChainNode(NodeId self, const Placement& placement, ChainConfig config, const Membership* membership = nullptr,
            TimeoutDetector* master = nullptr);

  // Reports the units this node heads (became_leader at epoch 1).
  Ready start(Time now) override;
  Ready step(const Envelope& in, Time now) override;
  // The master's next conviction is due: repairs the chains it changes.
  Ready on_timer(TimerId id, Time now) override;
  static constexpr TimerId kConvictionTimer = 1;
  // Loses the early updates, the CRAQ reads waiting for the tail and any
  // catching up in progress; the log, committed point and epochs are durable.
  void crash(Time now) override;
  // Rejoins every chain of the node: catches up from a live neighbour.
  Ready recover(Time now) override;
  // Repairs every chain whose live members changed.
  Ready membership_changed(Time now) override;

  const NodeCounters& counters() const override { return counters_; }
  // The newest version of `key` this node applied, clean or dirty; 0 if none
  // (or the node holds no replica of the key).
  Version version_of(Key key) const;
  // The newest version of `key` this node knows to be committed; 0 if none.
  Version committed_version_of(Key key) const;
  // The first and last live replicas of the unit, in placement order.
  NodeId head_of(UnitId unit) const;
  NodeId tail_of(UnitId unit) const;
  // The following throw std::out_of_range when this node is not in the unit's chain.
  LogIndex applied_seq(UnitId unit) const;    // updates applied, in sequence
  LogIndex committed_seq(UnitId unit) const;  // updates known to have reached the tail
  const ChainLog& log_of(UnitId unit) const;  // the updates kept (compact_logs: after the committed point)
  std::uint64_t epoch_of(UnitId unit) const;  // the unit's configuration epoch, from 1
  bool catching_up(UnitId unit) const;        // back from a crash, waiting for a neighbour's updates
  std::size_t pending_reads() const;  // CRAQ reads waiting for the tail's answer

private:
  // Per key, the newest version applied and the newest known committed. CRAQ
  // keeps every version until it is clean; only their numbers matter here.
  struct KeyVersions {
    Version latest = 0;
    Version clean = 0;
  };
  struct PendingRead {
    Address client;
    OpId op = 0;
    Key key = 0;  // to ask a new tail when the tail changes
  };
  // Survives a crash: the updates applied, the committed point, the versions,
  // the configuration epoch.
  struct Durable {
    ChainLog log;
    LogIndex committed = 0;
    std::unordered_map<Key, KeyVersions> keys;
    std::uint64_t epoch = 1;
  };
  // Lost on a crash.
  struct Volatile {
    std::map<LogIndex, ChainForward> early;                 // updates that arrived ahead of a gap
    std::unordered_map<OpId, PendingRead> pending_reads;    // CRAQ: by request, awaiting the tail
    std::uint64_t led_epoch = 0;  // the epoch this node became the head at; 0: not heading
    // Catching up after a crash.
    bool catching_up = false;
    NodeId helper = kNoNode;          // the neighbour asked
    LogIndex have = 0;                // the prefix kept: updates after it come from the helper
    LogIndex deferred_ack = 0;        // the highest ack the successor sent meanwhile
    std::vector<Envelope> held;       // client requests and version queries, answered once caught up
    std::vector<std::pair<NodeId, ChainJoin>> joiners;  // neighbours that asked this node meanwhile
  };
  struct UnitState {
    std::vector<NodeId> live;      // the live chain: the unit's live replicas, in placement order
    NodeId predecessor = kNoNode;  // kNoNode at the head
    NodeId successor = kNoNode;    // kNoNode at the tail
    Durable durable;
    Volatile vol;
  };

  // One handler per message type (called through std::visit), with the
  // signature every node's handlers share; chain's read the time as now_,
  // which the helpers that report role events need too.
  void on(const ClientWrite& m, Address from, Time now, Ready& out);
  void on(const ClientRead& m, Address from, Time now, Ready& out);
  void on(const ChainForward& m, Address from, Time now, Ready& out);
  void on(const ChainAck& m, Address from, Time now, Ready& out);
  void on(const CommittedVersionQuery& m, Address from, Time now, Ready& out);
  void on(const CommittedVersionReply& m, Address from, Time now, Ready& out);
  void on(const ChainJoin& m, Address from, Time now, Ready& out);
  void on(const ChainCatchUp& m, Address from, Time now, Ready& out);
  // Replies go to clients; leader queries come only from clients of the
  // leader-based models; the other families are other models' messages.
  using Ignored = IgnoredMessages<ClientReplies, LeaderQueries, LogReplication, RaftElections, KafkaControl,
                                  LeaderlessReplication, MultiLeaderReplication, FailureDetection>;
  void dispatch(const Envelope& in, Ready& out);

  UnitState* unit_state(UnitId unit);
  const UnitState* unit_state(UnitId unit) const;
  const UnitState& unit_state_or_throw(UnitId unit) const;
  const KeyVersions* key_versions(Key key) const;
  void apply(UnitState& state, const ChainEntry& entry, Ready& out);
  // Applies the early updates that continue the log, in sequence.
  void apply_in_sequence(UnitState& state, Ready& out);
  void pass_down(UnitState& state, const ChainForward& update, Ready& out);
  void commit_through(UnitState& state, LogIndex seq);
  ChainForward forward_of(UnitId unit, const UnitState& state, LogIndex seq) const;

  // Repair (chain_repair.cpp).
  bool up(NodeId node) const { return membership_ == nullptr || membership_->alive.at(node); }
  std::vector<NodeId> live_chain(UnitId unit) const;
  void set_view(UnitState& state, std::vector<NodeId> live);
  void reconfigure(UnitId unit, UnitState& state, Ready& out);
  void become_tail(UnitId unit, UnitState& state, Ready& out);
  void resend_sent(UnitId unit, UnitState& state, Ready& out);
  void ask_tail_again(UnitId unit, UnitState& state, Ready& out);
  void start_leading(UnitId unit, UnitState& state);
  void stop_leading(UnitId unit, UnitState& state);
  void ask_to_join(UnitId unit, UnitState& state, Ready& out);
  void answer_join(UnitId unit, const UnitState& state, NodeId joiner, const ChainJoin& m, Ready& out);
  void finish_catching_up(UnitId unit, UnitState& state, Ready& out);
  void rebuild_keys(UnitState& state);
  // Tells the master of the run's faults and arms a timer for its next conviction.
  void follow_master(Time now, Ready& out);
  Address self() const { return Address::node(self_); }

  NodeId self_;
  const Placement& placement_;
  ChainConfig config_;
  const Membership* membership_;
  TimeoutDetector* master_;  // null: the membership oracle is the master
  UnitTable<UnitState> units_;
  std::vector<UnitId> my_units_;  // the units of units_, ascending: repairs go in a fixed order
  OpId next_request_ = 1;  // CRAQ query ids of this node; they keep growing across a crash
  NodeCounters counters_;
  Time now_ = 0;  // the time of the input being handled
};

}  // namespace replisim
