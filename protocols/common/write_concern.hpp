// How many replicas must hold a write before its leader acknowledges it
// (MongoDB's w, Kafka's acks). Pure arithmetic, tested on its own.
#pragma once
#include <string>
#include <vector>

#include "protocols/common/types.hpp"

namespace replisim {

enum class WriteConcern : std::uint8_t { one, majority, all };

WriteConcern parse_write_concern(const std::string& text);  // "1", "majority", "all"
std::string to_string(WriteConcern concern);

// Replicas (the leader included) that must hold a write, in a set of `replicas`.
int acks_needed(WriteConcern concern, int replicas);

// The highest log index that at least `needed` of `match_indexes` have reached:
// the needed-th largest. (etcd's quorum/majority.go CommittedIndex.)
LogIndex quorum_index(std::vector<LogIndex> match_indexes, int needed);

}  // namespace replisim
