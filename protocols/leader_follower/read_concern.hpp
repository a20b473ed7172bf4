// What a leader-based unit's replica returns to a read: MongoDB's read
// concerns (https://www.mongodb.com/docs/manual/reference/read-concern/) and
// Kafka's high watermark.
//
// - local: the replica's newest applied write of the key, committed or not
//   (MongoDB's default; a secondary's oplog applied so far).
// - majority: the newest write of the key in the majority-committed snapshot
//   the replica knows of ("returns data that has been acknowledged by a
//   majority of the replica set members"), on a primary or a secondary.
// - linearizable: at the primary only. It majority-commits a no-op entry and
//   then answers from the majority-committed snapshot, so the read "returns
//   data that reflects all successful majority-acknowledged writes that
//   completed prior to the start of the read operation"; a node that is not
//   the writable leader refuses it.
// - high_watermark: Kafka, whose fetches return only the records below the
//   high watermark ("only committed messages are ever given out to the
//   consumer", Kafka documentation §4.7), on the leader and, with follower
//   fetching (KIP-392), on a follower that learned the mark from the leader.
#pragma once
#include <cstdint>
#include <string>

namespace replisim {

enum class ReadConcern : std::uint8_t { local, majority, linearizable, high_watermark };

ReadConcern parse_read_concern(const std::string& text);  // "local", "majority", "linearizable"
std::string to_string(ReadConcern concern);

// Whether replicas keep the snapshot of the writes reads may return (all but local).
inline bool reads_bounded(ReadConcern concern) { return concern != ReadConcern::local; }

}  // namespace replisim
