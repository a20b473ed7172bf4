#include "protocols/common/messages.hpp"

namespace replisim {

namespace {
struct ValuesIn {
  std::size_t operator()(const ClientWrite&) const { return 1; }
  std::size_t operator()(const Replicate& m) const { return m.version == 0 ? 0 : 1; }  // a no-op carries none
  std::size_t operator()(const ReadReply&) const { return 1; }
  std::size_t operator()(const ReplicaWrite&) const { return 1; }
  std::size_t operator()(const ReplicaReadReply&) const { return 1; }
  std::size_t operator()(const FollowerUpdate&) const { return 1; }
  std::size_t operator()(const ChainForward&) const { return 1; }
  std::size_t operator()(const LeaderSync& m) const { return m.records.size(); }
  std::size_t operator()(const ChainCatchUp& m) const { return m.updates.size(); }
  std::size_t operator()(const auto&) const { return 0; }
};
}  // namespace

std::size_t values_in(const Message& message) { return std::visit(ValuesIn{}, message); }

namespace {
struct OnWritePath {
  bool operator()(const ClientRead&) const { return false; }
  bool operator()(const ReadReply&) const { return false; }
  bool operator()(const RequestVote&) const { return false; }
  bool operator()(const Vote&) const { return false; }
  bool operator()(const Heartbeat&) const { return false; }
  bool operator()(const HeartbeatReply&) const { return false; }
  bool operator()(const BrokerHeartbeat&) const { return false; }
  bool operator()(const BrokerHeartbeatReply&) const { return false; }
  bool operator()(const LeaderAndIsr&) const { return false; }
  bool operator()(const AlterPartition&) const { return false; }
  bool operator()(const auto&) const { return true; }
};
}  // namespace

// Chain replication's forwards and acks are write-path legs by their kind;
// the CRAQ version query and its reply are read legs. Heartbeats, votes and
// a Kafka controller's messages, though they travel as writes and acks, carry
// no write, and neither does a chain's repair traffic (a recovered node
// catching up).
bool is_write_path(const Message& message)
{
  if (std::holds_alternative<ChainJoin>(message) || std::holds_alternative<ChainCatchUp>(message))
    return false;
  const MessageKind kind = kind_of(message);
  if (kind == MessageKind::read || kind == MessageKind::response)
    return false;
  return std::visit(OnWritePath{}, message);
}

namespace {
struct KindOf {
  MessageKind operator()(const Replicate&) const { return MessageKind::write; }
  MessageKind operator()(const ReplicaWrite&) const { return MessageKind::write; }
  MessageKind operator()(const LeaderSync&) const { return MessageKind::write; }
  MessageKind operator()(const FollowerUpdate&) const { return MessageKind::write; }
  MessageKind operator()(const ChainForward&) const { return MessageKind::write; }
  MessageKind operator()(const RequestVote&) const { return MessageKind::write; }
  MessageKind operator()(const Heartbeat&) const { return MessageKind::write; }
  MessageKind operator()(const Vote&) const { return MessageKind::ack; }
  MessageKind operator()(const HeartbeatReply&) const { return MessageKind::ack; }
  MessageKind operator()(const BrokerHeartbeat&) const { return MessageKind::write; }
  MessageKind operator()(const LeaderAndIsr&) const { return MessageKind::write; }
  MessageKind operator()(const AlterPartition&) const { return MessageKind::write; }
  MessageKind operator()(const BrokerHeartbeatReply&) const { return MessageKind::ack; }
  MessageKind operator()(const FollowerAck&) const { return MessageKind::ack; }
  MessageKind operator()(const ReplicateAck&) const { return MessageKind::ack; }
  MessageKind operator()(const ReplicaWriteAck&) const { return MessageKind::ack; }
  MessageKind operator()(const ChainAck&) const { return MessageKind::ack; }
  MessageKind operator()(const LeaderSyncAck&) const { return MessageKind::ack; }
  MessageKind operator()(const ChainJoin&) const { return MessageKind::ack; }
  MessageKind operator()(const ChainCatchUp&) const { return MessageKind::write; }
  MessageKind operator()(const ReplicaRead&) const { return MessageKind::read; }
  MessageKind operator()(const CommittedVersionQuery&) const { return MessageKind::read; }
  MessageKind operator()(const ReplicaReadReply&) const { return MessageKind::response; }
  MessageKind operator()(const CommittedVersionReply&) const { return MessageKind::response; }
  MessageKind operator()(const auto&) const { return MessageKind::client; }
};
}  // namespace

MessageKind kind_of(const Message& message) { return std::visit(KindOf{}, message); }

}  // namespace replisim
