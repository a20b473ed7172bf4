// Dynamo/Cassandra-style leaderless replication. Any node coordinates any
// operation (the write role, per request); the storage role belongs to the
// token range's replicas, the first of which is its primary. The coordinator
// stamps a write with a last-writer-wins timestamp, sends it to every live
// replica (itself included, as a message, so that every replica leg follows the
// same law) and answers the client once the consistency level's acks are in.
//
// Reads follow one of two paths:
//  - cassandra (the default; Cassandra 4.0's AbstractReadExecutor): the
//    coordinator ranks the live replicas with its snitch (snitch.hpp), sends
//    a data request to the first and digest requests to the next blockFor − 1;
//    speculative retry (speculative_retry.hpp) asks one more when they are
//    slow. Once blockFor have answered, the data among them, it compares the
//    digests: equal, it answers; different, it reads the full data from every
//    replica it contacted and, with blocking read repair (read_repair =
//    'BLOCKING', 4.0's default), writes the newest version to those that
//    answered older, waiting for their acks, before it answers.
//  - all (the WARS model of PBS, Bailis et al.): every live replica is asked,
//    the newest of the first blockFor answers wins; asynchronous read repair,
//    when on, pushes it to every replica that answered older, late ones too.
//
// Timeouts are the coordinator's own (Cassandra's write_request_timeout 2 s,
// read_request_timeout 5 s), apart from the client's.
//
// Hinted handoff (Cassandra's, on by default: hinted_handoff_enabled): a
// coordinator keeps a hint (the key and version, for that replica) for every
// replica that is down when it writes, and for every replica that has not
// acknowledged a write when the write timeout expires, unless the replica has
// been down (since it was seen going down) for max_hint_window. Hints are
// replayed when the replica is seen up again, and every hint_dispatch_interval
// (Cassandra's HintsService dispatches every 10 s) to replicas seen up, such
// as one that timed out behind a partition; a hint is dropped once its
// replica acknowledges it, however long the replica was away. Hints never
// count toward a consistency level. Like Cassandra's hints directory they are
// on disk: a coordinator's crash keeps them.
//
// Anti-entropy repair (off by default): every repair_interval, each node
// repairs the ranges it is the primary replica of, range by range, with
// Merkle trees and streams (repair.hpp).
//
// Whether a replica is down is asked of seen_down() only, the one place the
// failure detector answers: the membership oracle (every node learns a crash
// the instant it happens) or Cassandra's gossip with phi-accrual conviction
// (gossip.hpp), under which a crashed replica stays a write's replica, and
// its writes time out, until this coordinator convicts it.
#pragma once
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "protocols/leaderless/consistency.hpp"
#include "protocols/leaderless/repair.hpp"
#include "protocols/leaderless/snitch.hpp"
#include "protocols/leaderless/speculative_retry.hpp"
#include "protocols/common/gossip.hpp"
#include "protocols/common/membership.hpp"
#include "protocols/common/placement.hpp"
#include "protocols/common/state_machine.hpp"

namespace replisim {

enum class ReadPath : std::uint8_t { cassandra, all };
// none; blocking (cassandra path: repair the contacted replicas before
// answering); asynchronous (all path: repair after answering, late answers too).
enum class ReadRepair : std::uint8_t { none, blocking, asynchronous };

struct LeaderlessConfig {
  Consistency write_level = Consistency::quorum;
  Consistency read_level = Consistency::one;
  ReadPath read_path = ReadPath::cassandra;
  SnitchConfig snitch;
  SpeculativeRetry speculative_retry;  // 99p
  ReadRepair read_repair = ReadRepair::blocking;
  Time write_timeout = 2.0;  // write_request_timeout: unanswered, WriteTimeout (and hints)
  Time read_timeout = 5.0;   // read_request_timeout: unanswered, ReadTimeout
  bool hinted_handoff = true;         // hinted_handoff_enabled
  Time max_hint_window = 3 * 3600.0;  // no new hints for a replica down this long (seconds)
  Time hint_dispatch_interval = 10.0;
  Time repair_interval = 0;  // a full repair of each node's primary ranges this often; 0: never
  // oracle: the membership answers at once; gossip: each node's own
  // phi-accrual verdicts, from gossip rounds (real messages, counted apart).
  bool gossip = false;
  GossipConfig gossip_config;
  std::uint64_t gossip_seed = 0;  // each node's peer choices derive from it
};

// What a coordinator and replica sent, for summary.csv (node to node
// messages only: the client's request and reply are counted apart).
struct LeaderlessStats {
  std::uint64_t reads = 0;                // client reads coordinated
  std::uint64_t writes = 0;               // client writes coordinated
  std::uint64_t replica_reads = 0;        // data and digest requests sent to replicas
  std::uint64_t read_messages = 0;        // read path: requests, answers, repair writes and their acks
  std::uint64_t write_messages = 0;       // write path: writes, acks, hint replays and their acks
  std::uint64_t speculative_retries = 0;  // reads that asked one replica more
  std::uint64_t read_repairs = 0;         // repair writes sent, one per out-of-date replica
  std::uint64_t hints_written = 0;
  std::uint64_t hints_replayed = 0;       // hints acknowledged by their replica
  // Anti-entropy repair's messages (trees, sync requests, streams), counted
  // apart from the read and write paths'; rows a stream made newer at the
  // replica that took them; full repairs this node started.
  std::uint64_t repair_messages = 0;
  std::uint64_t repaired_keys = 0;
  std::uint64_t repairs_started = 0;
  std::uint64_t gossip_messages = 0;      // GossipSyn and GossipAck sent (in neither count above)
};

// The last-writer-wins timestamp of a write coordinated by `coordinator` at
// `now`: nanoseconds of the coordinator's clock, ties broken by node id.
Version lww_version(Time now, NodeId coordinator);

class LeaderlessNode final : public NodeMachine {
public:
  LeaderlessNode(NodeId self, const Placement& placement, const Membership& membership, LeaderlessConfig config);

  // Arms the first repair (repair.cpp) and starts the gossip rounds (gossip
  // detector only).
  Ready start(Time now) override;
  Ready step(const Envelope& in, Time now) override;
  Ready on_timer(TimerId id, Time now) override;
  const NodeCounters& counters() const override { return counters_; }
  // Pending requests (and a running repair) are lost; data and hints are on disk.
  void crash(Time now) override;
  // Back with its data and hints: replays those for replicas seen up.
  Ready recover(Time now) override;
  // Notes who went down (and when), and replays hints to replicas that came back.
  Ready membership_changed(Time now) override;

  Version version_of(Key key) const;
  // Hints this coordinator holds for `target`: key → newest version.
  const std::map<Key, Version>& hints_for(NodeId target) const;
  std::size_t hint_count() const;
  std::size_t requests_pending() const { return requests_.size(); }
  const LeaderlessStats& stats() const { return stats_; }
  // The gossip detector (null under the oracle).
  const Gossiper* gossiper() const { return gossip_ ? &*gossip_ : nullptr; }

  // Request ids are multiples of 4; the low bits tell the round a message
  // belongs to (a late answer to an earlier round is not taken for a later one).
  static constexpr OpId kFirstRound = 0;   // writes; reads' data and digest requests
  static constexpr OpId kDataRound = 1;    // reads: full data after a digest mismatch
  static constexpr OpId kRepairRound = 2;  // reads: blocking read repair writes
  static constexpr OpId kSpeculate = 3;    // reads: the speculative retry's timer
  static constexpr TimerId kHintDispatchTimer = 1;
  static constexpr TimerId kRepairTimer = 2;  // no request's: their ids are 4 and up
  static constexpr TimerId kGossipTimer = 3;

private:
  struct Contact {
    NodeId node = kNoNode;
    Time asked_at = 0;
    bool answered = false;  // in the request's current round
    Version version = 0;
  };
  struct Request {
    Address client;
    OpId client_op = 0;
    Key key = 0;
    bool is_write = true;
    QuorumRule rule;
    Time opened = 0;
    std::vector<Contact> contacts;         // replicas asked
    std::vector<NodeId> spare;             // reads: live replicas not asked, best first
    std::vector<int> answers_per_zone;     // in the current round
    OpId round = kFirstRound;
    int answered = 0;                      // writes: acks
    bool data_present = false;             // reads: a data (not digest) answer is in
    int repairs_pending = 0;
    bool replied = false;
    Version newest = 0;  // writes: the version written; reads: newest seen
  };
  struct HintDelivery {
    NodeId target = kNoNode;
    Key key = 0;
    Version version = 0;
  };

  void on(const ClientWrite& m, Address from, Time now, Ready& out);
  void on(const ClientRead& m, Address from, Time now, Ready& out);
  void on(const ReplicaWrite& m, Address from, Time now, Ready& out);
  void on(const ReplicaWriteAck& m, Address from, Time now, Ready& out);
  void on(const ReplicaRead& m, Address from, Time now, Ready& out);
  void on(const ReplicaReadReply& m, Address from, Time now, Ready& out);
  // Anti-entropy repair (repair.cpp).
  void on(const ValidationRequest& m, Address from, Time now, Ready& out);
  void on(const MerkleTree& m, Address from, Time now, Ready& out);
  void on(const SyncRequest& m, Address from, Time now, Ready& out);
  void on(const RepairStream& m, Address from, Time now, Ready& out);
  void on(const SyncComplete& m, Address from, Time now, Ready& out);
  void on(const GossipSyn& m, Address from, Time now, Ready& out);
  void on(const GossipAck& m, Address from, Time now, Ready& out);
  // Replies go to clients; leader queries come only from clients of models
  // with a leader per unit; the other families are other models' messages.
  using Ignored = IgnoredMessages<ClientReplies, LeaderQueries, LogReplication, RaftElections, KafkaControl,
                                  MultiLeaderReplication, ChainReplication>;

  // Opens a request to the replicas of `key`'s unit, or fails it at once
  // (Unavailable) when too few are live for its level.
  // A write is stamped with `stamp` (nanoseconds of a clock, as lww_version).
  Request* open(Address client, OpId client_op, Key key, bool is_write, Time now, Ready& out, Time stamp = 0);
  void send_reads(OpId id, Request& r, Time now, Ready& out);
  void speculate(OpId id, Request& r, Time now, Ready& out);
  void on_read_answer(OpId id, Request& r, Contact& c, const ReplicaReadReply& m, Time now, Ready& out);
  void read_round_done(OpId id, Request& r, Time now, Ready& out);
  void answer(Request& r, Time now, Ready& out);
  void forget_if_complete(OpId id, const Request& r);
  void write_timed_out(Request& r, Time now, Ready& out);
  // Stores a hint for `target` unless it has been down too long.
  void keep_hint(NodeId target, Key key, Version version, Time now, Ready& out);
  void dispatch_hints(NodeId target, Ready& out);
  void arm_hint_dispatch(Time now, Ready& out);
  // Brings down_since_ up to date with the membership; replays the hints of
  // every replica that is back.
  void follow_membership(Time now, Ready& out);
  void arm_repair(Time now, Ready& out);
  void start_repair(Time now, Ready& out);
  // Starts the session of the job's next range whose replicas are all up.
  void next_range(Ready& out);
  // A stream's rows: each newer than the replica's copy replaces it.
  void take_rows(const std::vector<StreamedRow>& rows, Ready& out);
  // The failure detector's answer: this node's gossip verdict, or the oracle.
  bool seen_down(NodeId n) const
  {
    return gossip_ ? gossip_->convicted(n) : !membership_.alive[static_cast<std::size_t>(n)];
  }
  // Gossip: tells the detector who went silent or came back (the run's
  // faults), and acts on its verdicts as follow_membership does on the oracle's.
  void tell_gossiper(Time now);
  void follow_verdicts(Time now, Ready& out);
  void count(const Ready& out);
  Address self() const { return Address::node(self_); }

  NodeId self_;
  const Placement& placement_;
  const Membership& membership_;
  LeaderlessConfig config_;
  std::unordered_map<Key, Version> data_;           // replica: durable
  std::unordered_map<OpId, Request> requests_;      // coordinator: volatile
  // Request ids keep growing across a crash, so that an answer to a request
  // from before the crash never matches a new one.
  OpId next_request_ = 4;
  DynamicSnitch snitch_;
  SpeculationThreshold speculation_;
  // Hinted handoff, durable: per replica, key → newest version to hand it;
  // and when this node learnt each replica that is down went down (only
  // those: a vector per node of every node would grow with nodes², 800 MB
  // at 10,000 nodes).
  std::map<NodeId, std::map<Key, Version>> hints_;
  std::map<NodeId, Time> down_since_;
  std::unordered_map<OpId, HintDelivery> hint_deliveries_;  // volatile: awaiting the replica's ack
  bool hint_timer_armed_ = false;
  RepairJob repair_;  // volatile
  NodeCounters counters_;
  LeaderlessStats stats_;
  std::optional<Gossiper> gossip_;  // only under the gossip detector: nothing allocated otherwise
};

}  // namespace replisim
