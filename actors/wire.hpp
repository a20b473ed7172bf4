// Simulated message sizes: settings, never literals in handlers.
#pragma once
#include <cstdint>

#include "protocols/common/messages.hpp"

namespace replisim {

struct MessageSizes {
  std::uint64_t header_bytes = 64;   // ids, term, index, key, version
  std::uint64_t value_bytes = 100;   // --value-bytes

  std::uint64_t of(const Message& message) const
  {
    return header_bytes + values_in(message) * value_bytes + digest_bytes_in(message);
  }
};

// Messages a node sent and received, counted by its actor.
struct Traffic {
  std::uint64_t msgs_sent = 0;
  std::uint64_t msgs_received = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t write_path_msgs_sent = 0;
};

}  // namespace replisim
