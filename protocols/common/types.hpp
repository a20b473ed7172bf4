// Vocabulary shared by every replication model. Time is an input to the state
// machines, in simulated seconds, never read from a clock.
#pragma once
#include <cstdint>
#include <limits>

namespace replisim {

using Time = double;  // simulated seconds
using NodeId = std::int32_t;
using ClientId = std::int32_t;
using UnitId = std::int32_t;  // shard, partition or token range
using Key = std::uint64_t;
using Version = std::uint64_t;  // 0: never written
using OpId = std::uint64_t;
using Term = std::uint64_t;
using LogIndex = std::uint64_t;
using TimerId = std::uint64_t;

inline constexpr Time kNever = std::numeric_limits<Time>::infinity();
inline constexpr NodeId kNoNode = -1;

enum class OpKind : std::uint8_t { write, read };
enum class Outcome : std::uint8_t { ok, failed, timeout };

const char* to_string(OpKind kind);
const char* to_string(Outcome outcome);

}  // namespace replisim
