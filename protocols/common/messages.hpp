// Every message a replication model exchanges, as one closed variant: the
// actors move them without knowing their meaning, handlers use std::visit.
//
// Each message is classified where it is declared, and nowhere else: the leg
// it travels (`kind`, for delays and costs), whether it belongs to a write's
// path (`write_path`, for messages per write), and how many values it carries
// on the wire (`fixed_values`, or `values()` when that depends on it). A new
// message does not compile until it says all three, and every node either
// handles it or lists it among the messages it ignores, with why
// (IgnoredMessages, below).
#pragma once
#include <cstddef>
#include <optional>
#include <type_traits>
#include <variant>
#include <vector>

#include "protocols/common/types.hpp"

namespace replisim {

// The leg a message travels, as in the WARS model of Bailis et al. (PBS):
// leader/coordinator → replica write, replica → leader/coordinator ack,
// coordinator → replica read, replica → coordinator response; and the
// client's own request and reply. A leader's heartbeat and a candidate's
// vote request travel as writes (a replica must persist the term or vote it
// takes from them before answering), their answers as acks; so do a broker's
// heartbeat, a controller's decision and a leader's ISR proposal (metadata
// the receiver records), and the heartbeat's answer.
enum class MessageKind : std::uint8_t { write, ack, read, response, client };

// A node or a client; both live in one address space so a state machine can
// answer whoever wrote to it.
struct Address {
  enum class Kind : std::uint8_t { node, client };
  Kind kind = Kind::node;
  std::int32_t index = 0;

  static Address node(NodeId id) { return {Kind::node, id}; }
  static Address client(ClientId id) { return {Kind::client, id}; }
  bool is_node() const { return kind == Kind::node; }
  friend bool operator==(const Address&, const Address&) = default;
};

struct ClientWrite {
  static constexpr MessageKind kind = MessageKind::client;
  static constexpr bool write_path = true;
  static constexpr std::size_t fixed_values = 1;
  OpId op = 0;
  Key key = 0;
  // The client's clock when it issued the write, which the coordinator
  // stamps it with (a Cassandra driver's client-side timestamp: the
  // drivers' default since protocol v3); -1: the coordinator's own clock.
  Time timestamp = -1;
};

struct ClientRead {
  static constexpr MessageKind kind = MessageKind::client;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  OpId op = 0;
  Key key = 0;
};

struct WriteReply {
  static constexpr MessageKind kind = MessageKind::client;
  static constexpr bool write_path = true;
  static constexpr std::size_t fixed_values = 0;
  OpId op = 0;
  bool ok = false;
  Version version = 0;
  int acks = 0;          // replicas (the leader included) that held the write when it was acknowledged
  Time committed = -1;   // when the leader or coordinator held the acks it needed (-1: failed)
  NodeId leader = kNoNode;  // a refusal from a node that is not the unit's leader: the leader it knows of
  Term term = 0;  // leader-based models: the term of the write's log entry, its place in the key's history
  bool timed_out = false;  // leaderless: the coordinator's WriteTimeout (the write may have been applied)
};

struct ReadReply {
  static constexpr MessageKind kind = MessageKind::client;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 1;
  OpId op = 0;
  bool ok = false;
  Version version = 0;  // the version the replica held; 0 if it never saw the key
  // The write whose value it returned, as the client op that wrote it (its
  // identity; none: the key was never written, or a model whose replicas
  // keep versions only), and, in the leader-based models, the term of its
  // log entry.
  std::optional<OpId> write;
  Term term = 0;
  // Leader-based models: whether the replica knew that write committed
  // (majority-committed; below the high watermark for Kafka) when it answered.
  bool committed = true;
};

// A client driver's check of who leads a unit (MongoDB's hello, which a
// driver's monitors send every member; a Kafka producer's metadata request),
// sent to the unit's replicas when the client's view of the leader is stale
// (protocols/client/leader_view.hpp). Only with failover.
struct LeaderQuery {
  static constexpr MessageKind kind = MessageKind::client;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  UnitId unit = 0;
};

// A replica's answer: whether it is the unit's writable leader (hello's
// isWritablePrimary), at which term (its electionId, a Kafka leader epoch),
// so that a client never goes back to a deposed leader it hears from late.
struct LeaderInfo {
  static constexpr MessageKind kind = MessageKind::client;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  UnitId unit = 0;
  bool leads = false;
  Term term = 0;
};

// Leader → follower: one entry of the unit's log (Raft's AppendEntries with
// one entry). The entry before it, Raft's prevLogIndex, is index − 1.
struct Replicate {
  static constexpr MessageKind kind = MessageKind::write;
  static constexpr bool write_path = true;
  Term term = 0;        // the sender's current term
  UnitId unit = 0;
  LogIndex index = 0;
  Key key = 0;
  Version version = 0;  // 0: a new leader's no-op entry (Raft §8), which writes no key
  Term prev_term = 0;   // the term of entry index − 1 in the leader's log (§5.3's consistency check)
  LogIndex commit = 0;  // the leader's commit index
  OpId op = 0;          // the client write that created the entry (0: none)
  Term entry_term = 0;  // the entry's own term when a leader resends one of an earlier term; 0: `term`
  LogIndex compacted = 0;  // every replica holds the entries up to here, committed: the receiver may discard them
  LogIndex visible = 0;    // reads may return the entries up to here (read_concern.hpp): the commit index or Kafka's high watermark
  std::size_t values() const { return version == 0 ? 0 : 1; }  // a no-op entry carries none
};

// Follower → leader: everything up to match_index is applied (cumulative, like
// MongoDB's oplog position or Raft's matchIndex). With failover, a follower
// whose log does not match the leader's at the append's previous entry
// refuses it (success = false) and says where the leader should resume.
struct ReplicateAck {
  static constexpr MessageKind kind = MessageKind::ack;
  static constexpr bool write_path = true;
  static constexpr std::size_t fixed_values = 0;
  Term term = 0;  // the follower's current term: a higher one deposes the leader
  UnitId unit = 0;
  LogIndex match_index = 0;  // up to here the follower's log is known to match the leader's
  bool success = true;
  LogIndex rejected = 0;    // a refusal: the previous index of the append refused
  LogIndex hint = 0;        // a refusal: the last index the follower's log may still share with the leader's
  LogIndex last_index = 0;  // with failover: the follower's last log index
  Term last_term = 0;       // and that entry's term: with last_index, its optime (MongoDB's catch-up)
};

// Raft elections (Ongaro and Ousterhout, USENIX ATC 2014), with failover on.
// A candidate → the unit's other replicas (§5.2), with its log's end for the
// voter's up-to-date check (§5.4.1).
struct RequestVote {
  static constexpr MessageKind kind = MessageKind::write;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  Term term = 0;
  UnitId unit = 0;
  LogIndex last_index = 0;
  Term last_term = 0;
};

struct Vote {
  static constexpr MessageKind kind = MessageKind::ack;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  Term term = 0;  // the voter's current term
  UnitId unit = 0;
  bool granted = false;
};

// Raft thesis §9.6 (etcd's PreVote, MongoDB's dry-run election): a node
// whose election timeout fired asks whether it would win at `term` (its own
// term + 1, not taken), and the answer, which changes no voter's term or vote.
struct PreVote {
  static constexpr MessageKind kind = MessageKind::write;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  Term term = 0;  // the term the asker would stand for
  UnitId unit = 0;
  LogIndex last_index = 0;
  Term last_term = 0;
};
struct PreVoteReply {
  static constexpr MessageKind kind = MessageKind::ack;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  Term term = 0;  // the asked term when granted, else the voter's own
  UnitId unit = 0;
  bool granted = false;
};
// MongoDB's primary catch-up: a new leader that is behind a member asks it
// for the entries after `prev_index` (whose term it gives, as an append
// does, §5.3), and the member's answer: the next entries when its log holds
// that one, else where the two logs may still agree (`hint`).
struct CatchUpFetch {
  static constexpr MessageKind kind = MessageKind::read;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  Term term = 0;
  UnitId unit = 0;
  LogIndex prev_index = 0;
  Term prev_term = 0;
};
struct CatchUpEntries {
  static constexpr MessageKind kind = MessageKind::response;
  static constexpr bool write_path = false;
  Term term = 0;  // the member's term: a newer one deposes the asker
  UnitId unit = 0;
  LogIndex prev_index = 0;  // the fetch's
  bool matched = false;
  LogIndex hint = 0;        // not matched: the last index the logs may share
  LogIndex last_index = 0;  // the member's last index, and its term
  Term last_term = 0;
  std::vector<Replicate> entries;  // from prev_index + 1 on, in order (Replicate's entry fields)
  std::size_t values() const
  {
    std::size_t n = 0;
    for (const Replicate& e : entries)
      n += e.values();
    return n;
  }
};
// An append without entries: Raft's heartbeat for one unit.
struct EmptyAppend {
  Term term = 0;
  UnitId unit = 0;
  LogIndex prev_index = 0;
  Term prev_term = 0;
  LogIndex commit = 0;
  LogIndex compacted = 0;  // as in Replicate
  LogIndex visible = 0;    // as in Replicate
  // MongoDB's catch-up: the leader takes no writes yet, and its last optime
  // (a member more up to date may take over: catchUpTakeoverDelayMillis).
  bool catching_up = false;
  LogIndex leader_last_index = 0;
  Term leader_last_term = 0;
};

// A leader node → a follower node: the heartbeats of every unit the sender
// leads and the receiver replicates, in one message; and the answer, one
// acknowledgement per unit.
struct Heartbeat {
  static constexpr MessageKind kind = MessageKind::write;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  std::vector<EmptyAppend> appends;
};

struct HeartbeatReply {
  static constexpr MessageKind kind = MessageKind::ack;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  std::vector<ReplicateAck> acks;
};

// Leaderless (Dynamo): a coordinator's request to one replica, and the
// replica's answer. `request` is the coordinator's own id for the operation.
struct ReplicaWrite {
  static constexpr MessageKind kind = MessageKind::write;
  static constexpr bool write_path = true;
  static constexpr std::size_t fixed_values = 1;
  OpId request = 0;
  Key key = 0;
  Version version = 0;  // last-writer-wins timestamp
};

struct ReplicaWriteAck {
  static constexpr MessageKind kind = MessageKind::ack;
  static constexpr bool write_path = true;
  static constexpr std::size_t fixed_values = 0;
  OpId request = 0;
};

// A read asks for the data, or only for its digest (Cassandra's digest
// requests: the replica answers with a hash of what it holds, which the
// coordinator compares; here the version stands for the hash).
struct ReplicaRead {
  static constexpr MessageKind kind = MessageKind::read;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  OpId request = 0;
  Key key = 0;
  bool digest = false;
};

struct ReplicaReadReply {
  static constexpr MessageKind kind = MessageKind::response;
  static constexpr bool write_path = false;
  OpId request = 0;
  Version version = 0;
  bool digest = false;  // a digest carries no value
  std::size_t values() const { return digest ? 0 : 1; }
};

// Leaderless anti-entropy repair (Cassandra's nodetool repair; see
// protocols/leaderless/repair.hpp). The repair coordinator of a token range
// asks each replica for a Merkle tree of its rows in the range, `leaves`
// leaves (Cassandra's validation request)...
struct ValidationRequest {
  static constexpr MessageKind kind = MessageKind::read;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  OpId session = 0;
  UnitId unit = 0;
  std::uint32_t leaves = 1;
};

// ...and the replica's answer: one digest per leaf (the hash of the rows
// whose keys fall in it), 16 bytes each on the wire, as an MD5.
struct MerkleTree {
  static constexpr MessageKind kind = MessageKind::response;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  OpId session = 0;
  UnitId unit = 0;
  std::vector<std::uint64_t> digests;
  std::size_t digest_bytes() const { return 16 * digests.size(); }
};

// The coordinator → one of two replicas whose trees differ: exchange with
// `peer` the rows of the leaves that differ (Cassandra's sync request).
struct SyncRequest {
  static constexpr MessageKind kind = MessageKind::write;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  OpId session = 0;
  UnitId unit = 0;
  NodeId peer = kNoNode;
  std::uint32_t leaf_count = 1;
  std::vector<std::uint32_t> leaves;
};

struct StreamedRow {
  Key key = 0;
  Version version = 0;
  friend bool operator==(const StreamedRow&, const StreamedRow&) = default;
};

// A replica → its peer: its rows in the differing leaves, each a value on
// the wire. The first stream of a sync asks the peer for its own rows of
// the same leaves back (`reply`); the second closes the sync, and the node
// that asked tells `coordinator` so (SyncComplete).
struct RepairStream {
  static constexpr MessageKind kind = MessageKind::write;
  static constexpr bool write_path = false;
  OpId session = 0;
  UnitId unit = 0;
  NodeId coordinator = kNoNode;
  std::uint32_t leaf_count = 1;
  std::vector<std::uint32_t> leaves;
  std::vector<StreamedRow> rows;
  bool reply = false;
  std::size_t values() const { return rows.size(); }
};

struct SyncComplete {
  static constexpr MessageKind kind = MessageKind::ack;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  OpId session = 0;
};

// Multi-leader: one key as a leader holds it. `seen` is the key's version
// vector (per leader: how many of its writes of this key are incorporated);
// `writer_seen` is the vector of the write whose value is held, as it was
// written: its causal past, which decides whether it superseded a write.
struct KeyRecord {
  Key key = 0;
  Version version = 0;  // last-writer-wins stamp of the value held
  std::vector<std::uint64_t> seen;
  std::vector<std::uint64_t> writer_seen;
  friend bool operator==(const KeyRecord&, const KeyRecord&) = default;
};

// Leader → other leaders, asynchronously: the records of keys written since
// the last sync (one per message when replication is immediate).
struct LeaderSync {
  static constexpr MessageKind kind = MessageKind::write;
  static constexpr bool write_path = true;
  std::vector<KeyRecord> records;
  std::size_t values() const { return records.size(); }
};

// Leader → its own followers, and their answer.
struct FollowerUpdate {
  static constexpr MessageKind kind = MessageKind::write;
  static constexpr bool write_path = true;
  static constexpr std::size_t fixed_values = 1;
  OpId request = 0;  // 0: no answer wanted
  KeyRecord record;
};

struct FollowerAck {
  static constexpr MessageKind kind = MessageKind::ack;
  static constexpr bool write_path = true;
  static constexpr std::size_t fixed_values = 0;
  OpId request = 0;
};

// Chain replication (van Renesse and Schneider, OSDI 2004), with CRAQ reads
// (Terrace and Freedman, USENIX ATC 2009).

// A node → its successor in the unit's chain: one update, in the unit's
// sequence. It carries the client and its op so the tail, which answers the
// client (§2: "the reply is generated by the tail"), knows whom to answer.
struct ChainForward {
  static constexpr MessageKind kind = MessageKind::write;
  static constexpr bool write_path = true;
  static constexpr std::size_t fixed_values = 1;
  UnitId unit = 0;
  LogIndex seq = 0;  // position in the unit's sequence of updates, from 1
  Key key = 0;
  Version version = 0;
  Address client;
  OpId op = 0;
};

// A node → its predecessor: everything up to `seq` reached the tail, so it is
// committed (clean, in CRAQ's terms). Cumulative, like ReplicateAck.
struct ChainAck {
  static constexpr MessageKind kind = MessageKind::ack;
  static constexpr bool write_path = true;
  static constexpr std::size_t fixed_values = 0;
  UnitId unit = 0;
  LogIndex seq = 0;
};

// CRAQ §2.3: a replica holding a dirty version of `key` asks the tail which
// version is committed; `request` is the asking replica's own id for the read.
struct CommittedVersionQuery {
  static constexpr MessageKind kind = MessageKind::read;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  OpId request = 0;
  UnitId unit = 0;
  Key key = 0;
};

// The tail's answer: a version number, not a value (the asker holds the value).
struct CommittedVersionReply {
  static constexpr MessageKind kind = MessageKind::response;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  OpId request = 0;
  UnitId unit = 0;
  Version version = 0;
};

// --- Fault tolerance: acknowledged multi-leader syncs, chain repair ----------

// Multi-leader (with acknowledged syncs): the answer to a LeaderSync. For each
// record it carried, the key and how many of the syncing leader's writes of
// that key the receiver now holds (its version vector's component for the
// sender), so that the sender stops resending what arrived, whatever order
// syncs and acks travel in.
struct SyncedKey {
  Key key = 0;
  std::uint64_t counter = 0;
};

struct LeaderSyncAck {
  static constexpr MessageKind kind = MessageKind::ack;
  static constexpr bool write_path = true;
  static constexpr std::size_t fixed_values = 0;
  std::vector<SyncedKey> keys;
};

// Chain repair: a node that comes back asks a live neighbour of its chain (its
// predecessor, or its successor when it comes back as the head) for every
// update after `have`, the end of its committed prefix.
struct ChainJoin {
  static constexpr MessageKind kind = MessageKind::ack;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  UnitId unit = 0;
  LogIndex have = 0;
  std::uint64_t epoch = 0;  // the joiner's configuration epoch of the unit
};

// The neighbour's answer: its updates after `after` (the joiner's `have`), in
// sequence, with the client and op of those not yet committed so that a new
// tail can answer them; `committed` is the neighbour's committed point.
struct ChainCatchUp {
  static constexpr MessageKind kind = MessageKind::write;
  static constexpr bool write_path = false;
  UnitId unit = 0;
  std::uint64_t epoch = 0;
  LogIndex after = 0;
  LogIndex committed = 0;
  std::vector<ChainForward> updates;
  std::size_t values() const { return updates.size(); }
};

// --- Kafka's controller (failover kafka; see kafka_controller.hpp) ----------

// What the controller decided for one partition: its leader, the leader's
// epoch (the unit's Raft term), the partition epoch `version` that every
// change bumps, and the in-sync replicas in assignment order. A broker keeps
// the last one it was sent for each of its partitions (KRaft brokers keep
// the metadata log on disk). version 0: not known.
struct PartitionState {
  UnitId unit = 0;
  NodeId leader = kNoNode;  // kNoNode: no live in-sync replica to lead
  Term epoch = 0;
  std::uint64_t version = 0;
  std::vector<NodeId> isr;
  friend bool operator==(const PartitionState&, const PartitionState&) = default;
};

// What a registering broker knows of one of its partitions, from which a
// new controller rebuilds its view: the state it was last sent (kept on
// disk), and its own term of the unit (which a leader's append may have
// raised past it).
struct ReplicaReport {
  PartitionState known;
  Term term = 0;
};

// A broker → its controller, every broker.heartbeat.interval.ms. `report`
// registers the broker (Kafka's BrokerRegistration): sent until a controller
// has it. `restarted`: the broker came back from a crash since it last
// registered, so it leads nothing whatever the controller's view says.
// `decisions`: the LeaderAndIsr messages of this controller it has received,
// in sequence (KRaft brokers fetch the metadata log from an offset); the
// controller resends the state of all its partitions when some went missing.
struct BrokerHeartbeat {
  static constexpr MessageKind kind = MessageKind::write;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  bool registering = false;
  bool restarted = false;
  std::vector<ReplicaReport> report;
  std::uint64_t decisions = 0;
};

// The answer: from the active controller (controller == the sender), whether
// it holds the broker's registration; from another node, the node it
// believes is the controller (Kafka's NOT_CONTROLLER).
struct BrokerHeartbeatReply {
  static constexpr MessageKind kind = MessageKind::ack;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  NodeId controller = kNoNode;
  bool registered = false;
};

// The controller → a broker: new states of partitions it replicates (Kafka's
// LeaderAndIsr request, batched per broker), numbered per broker from 1;
// `full`: the state of every partition the broker replicates.
struct LeaderAndIsr {
  static constexpr MessageKind kind = MessageKind::write;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  std::vector<PartitionState> partitions;
  std::uint64_t sequence = 0;
  bool full = false;
};

// A partition leader → the controller: the ISR it proposes for partitions it
// leads (Kafka's AlterPartition), each against the state version it holds;
// a proposal against an older version is ignored.
struct AlterPartition {
  static constexpr MessageKind kind = MessageKind::write;
  static constexpr bool write_path = false;
  static constexpr std::size_t fixed_values = 0;
  std::vector<PartitionState> proposals;
};

// --- Failure detection: Cassandra's gossip (see gossip.hpp) -----------------

// A gossip round's opening (Cassandra's GossipDigestSyn): the sender's digest,
// one (endpoint, generation, version) entry for every endpoint it knows, its
// own heartbeat among them. Sent once a second to a random live peer.
struct GossipSyn {
  static constexpr MessageKind kind = MessageKind::write;
  static constexpr bool write_path = false;
  std::uint32_t endpoints = 0;  // digest entries
  std::uint64_t heartbeat = 0;  // the sender's own heartbeat version
  std::size_t values() const { return endpoints; }
};

// The answer (GossipDigestAck, with Ack2 folded in): the states newer than
// the digest's, from which the initiator learns newer heartbeats of every
// endpoint its peer heard from.
struct GossipAck {
  static constexpr MessageKind kind = MessageKind::ack;
  static constexpr bool write_path = false;
  std::uint32_t endpoints = 0;
  std::uint64_t heartbeat = 0;
  std::size_t values() const { return endpoints; }
};

using Message = std::variant<ClientWrite, ClientRead, WriteReply, ReadReply, Replicate, ReplicateAck, ReplicaWrite,
                             ReplicaWriteAck, ReplicaRead, ReplicaReadReply, LeaderSync, FollowerUpdate, FollowerAck,
                             ChainForward, ChainAck, CommittedVersionQuery, CommittedVersionReply, RequestVote, Vote,
                             Heartbeat, HeartbeatReply, LeaderSyncAck, ChainJoin, ChainCatchUp, BrokerHeartbeat,
                             BrokerHeartbeatReply, LeaderAndIsr, AlterPartition, LeaderQuery, LeaderInfo, PreVote,
                             PreVoteReply, CatchUpFetch, CatchUpEntries, ValidationRequest, MerkleTree, SyncRequest,
                             RepairStream, SyncComplete, GossipSyn, GossipAck>;

// The messages by protocol family, each in exactly one group (checked
// below), so that a node's dispatch can say which families it ignores.
template <class... Ms>
struct MessageGroup {
  template <class M>
  static constexpr bool contains = (std::is_same_v<M, Ms> || ...);
};
using ClientRequests = MessageGroup<ClientWrite, ClientRead>;
using ClientReplies = MessageGroup<WriteReply, ReadReply, LeaderInfo>;
using LeaderQueries = MessageGroup<LeaderQuery>;  // nodes with a leader per unit answer them
using LogReplication = MessageGroup<Replicate, ReplicateAck, CatchUpFetch, CatchUpEntries>;  // leader-follower, partitioned
using RaftElections = MessageGroup<RequestVote, Vote, PreVote, PreVoteReply, Heartbeat, HeartbeatReply>;
using KafkaControl = MessageGroup<BrokerHeartbeat, BrokerHeartbeatReply, LeaderAndIsr, AlterPartition>;
using LeaderlessReplication = MessageGroup<ReplicaWrite, ReplicaWriteAck, ReplicaRead, ReplicaReadReply,
                                          ValidationRequest, MerkleTree, SyncRequest, RepairStream, SyncComplete>;
using MultiLeaderReplication = MessageGroup<LeaderSync, LeaderSyncAck, FollowerUpdate, FollowerAck>;
using ChainReplication =
    MessageGroup<ChainForward, ChainAck, CommittedVersionQuery, CommittedVersionReply, ChainJoin, ChainCatchUp>;
using FailureDetection = MessageGroup<GossipSyn, GossipAck>;  // leaderless nodes under the gossip detector

// The groups of messages a node never receives (replies meant for clients,
// other models' messages): a node's dispatch handles every message outside
// them, or does not compile.
template <class... Groups>
struct IgnoredMessages {
  template <class M>
  static constexpr bool contains = (Groups::template contains<M> || ...);
};

// A node's dispatch: calls `handle` with the message unless `Ignored` lists
// its type. A message neither handled nor ignored does not compile.
template <class Ignored, class Handler>
void visit_handled(const Message& message, Handler&& handle)
{
  std::visit(
      [&](const auto& m) {
        if constexpr (!Ignored::template contains<std::decay_t<decltype(m)>>)
          handle(m);
      },
      message);
}

namespace detail {
template <class M>
constexpr int groups_of()
{
  return ClientRequests::contains<M> + ClientReplies::contains<M> + LeaderQueries::contains<M> + LogReplication::contains<M> +
         RaftElections::contains<M> + KafkaControl::contains<M> + LeaderlessReplication::contains<M> +
         MultiLeaderReplication::contains<M> + ChainReplication::contains<M> + FailureDetection::contains<M>;
}
template <class... Ms>
constexpr bool each_in_one_group(std::variant<Ms...>*)
{
  return ((groups_of<Ms>() == 1) && ...);
}
}  // namespace detail
static_assert(detail::each_in_one_group(static_cast<Message*>(nullptr)),
              "every message belongs to exactly one MessageGroup");

// How many values a message carries on the wire, for its simulated size.
std::size_t values_in(const Message& message);
// Bytes it carries besides its header and values (a Merkle tree's digests).
std::size_t digest_bytes_in(const Message& message);

// Whether a message belongs to a write's path (request, replication, acks,
// reply), for messages-per-write. Heartbeats, votes and a Kafka controller's
// messages do not.
bool is_write_path(const Message& message);

MessageKind kind_of(const Message& message);

struct Envelope {
  Address from;
  Address to;
  Message message;
  // Seconds the chain of messages that led to this one spent waiting in
  // inboxes, set by the driver: a reply carries the queueing on its
  // operation's critical path.
  Time queued = 0;
};

}  // namespace replisim
