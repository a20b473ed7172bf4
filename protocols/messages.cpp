#include "protocols/messages.hpp"

namespace replisim {

namespace {
struct PayloadOf {
  Payload operator()(const ClientWrite&) const { return Payload::value; }
  Payload operator()(const Replicate&) const { return Payload::value; }
  Payload operator()(const ReadReply&) const { return Payload::value; }
  Payload operator()(const auto&) const { return Payload::none; }
};
}  // namespace

Payload payload_of(const Message& message) { return std::visit(PayloadOf{}, message); }

bool is_write_path(const Message& message)
{
  return !std::holds_alternative<ClientRead>(message) && !std::holds_alternative<ReadReply>(message);
}

}  // namespace replisim
