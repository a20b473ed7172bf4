// Every message a replication model exchanges, as one closed variant: the
// actors move them without knowing their meaning, handlers use std::visit.
#pragma once
#include <variant>
#include <vector>

#include "protocols/types.hpp"

namespace replisim {

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
  OpId op = 0;
  Key key = 0;
};

struct ClientRead {
  OpId op = 0;
  Key key = 0;
};

struct WriteReply {
  OpId op = 0;
  bool ok = false;
  Version version = 0;
  int acks = 0;          // replicas (the leader included) that held the write when it was acknowledged
  Time committed = -1;   // when the leader or coordinator held the acks it needed (-1: failed)
};

struct ReadReply {
  OpId op = 0;
  bool ok = false;
  Version version = 0;  // the version the replica held; 0 if it never saw the key
};

// Leader → follower: one entry of the unit's log.
struct Replicate {
  Term term = 0;
  UnitId unit = 0;
  LogIndex index = 0;
  Key key = 0;
  Version version = 0;
};

// Follower → leader: everything up to match_index is applied (cumulative, like
// MongoDB's oplog position or Raft's matchIndex).
struct ReplicateAck {
  Term term = 0;
  UnitId unit = 0;
  LogIndex match_index = 0;
};

// Leaderless (Dynamo): a coordinator's request to one replica, and the
// replica's answer. `request` is the coordinator's own id for the operation.
struct ReplicaWrite {
  OpId request = 0;
  Key key = 0;
  Version version = 0;  // last-writer-wins timestamp
};

struct ReplicaWriteAck {
  OpId request = 0;
};

struct ReplicaRead {
  OpId request = 0;
  Key key = 0;
};

struct ReplicaReadReply {
  OpId request = 0;
  Version version = 0;
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
  std::vector<KeyRecord> records;
};

// Leader → its own followers, and their answer.
struct FollowerUpdate {
  OpId request = 0;  // 0: no answer wanted
  KeyRecord record;
};

struct FollowerAck {
  OpId request = 0;
};

using Message = std::variant<ClientWrite, ClientRead, WriteReply, ReadReply, Replicate, ReplicateAck, ReplicaWrite,
                             ReplicaWriteAck, ReplicaRead, ReplicaReadReply, LeaderSync, FollowerUpdate, FollowerAck>;

// How many values a message carries on the wire, for its simulated size.
std::size_t values_in(const Message& message);

// Whether a message belongs to a write's path (request, replication, acks,
// reply), for messages-per-write.
bool is_write_path(const Message& message);

// The leg a message travels, as in the WARS model of Bailis et al. (PBS):
// leader/coordinator → replica write, replica → leader/coordinator ack,
// coordinator → replica read, replica → coordinator response; and the
// client's own request and reply.
enum class MessageKind : std::uint8_t { write, ack, read, response, client };
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
