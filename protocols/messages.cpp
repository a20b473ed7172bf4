#include "protocols/messages.hpp"

namespace replisim {

namespace {
struct PayloadOf {
  Payload operator()(const ClientWrite&) const { return Payload::value; }
  Payload operator()(const Replicate&) const { return Payload::value; }
  Payload operator()(const ReadReply&) const { return Payload::value; }
  Payload operator()(const ReplicaWrite&) const { return Payload::value; }
  Payload operator()(const ReplicaReadReply&) const { return Payload::value; }
  Payload operator()(const auto&) const { return Payload::none; }
};
}  // namespace

Payload payload_of(const Message& message) { return std::visit(PayloadOf{}, message); }

bool is_write_path(const Message& message)
{
  const MessageKind kind = kind_of(message);
  if (kind == MessageKind::read || kind == MessageKind::response)
    return false;
  return !std::holds_alternative<ClientRead>(message) && !std::holds_alternative<ReadReply>(message);
}

namespace {
struct KindOf {
  MessageKind operator()(const Replicate&) const { return MessageKind::write; }
  MessageKind operator()(const ReplicaWrite&) const { return MessageKind::write; }
  MessageKind operator()(const ReplicateAck&) const { return MessageKind::ack; }
  MessageKind operator()(const ReplicaWriteAck&) const { return MessageKind::ack; }
  MessageKind operator()(const ReplicaRead&) const { return MessageKind::read; }
  MessageKind operator()(const ReplicaReadReply&) const { return MessageKind::response; }
  MessageKind operator()(const auto&) const { return MessageKind::client; }
};
}  // namespace

MessageKind kind_of(const Message& message) { return std::visit(KindOf{}, message); }

}  // namespace replisim
