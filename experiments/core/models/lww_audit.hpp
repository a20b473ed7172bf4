// Acknowledged writes that last-writer-wins discarded, for the leaderless
// model, whose clients write blind: Cassandra keeps no causal metadata, only
// a timestamp per cell, and the highest timestamp wins (DDIA ch. 5, "Last
// write wins (discarding concurrent writes)"; Kingsbury's Jepsen analyses of
// Cassandra and Riak). A write W is lost when the write that finally holds
// its key is neither W nor one that followed W; H followed W when
//   - H was issued by W's client after W (session order), or
//   - H was issued after W was acknowledged (real time: H's writer could
//     have seen W; the order a user expects "the later write wins" to keep),
// or through a chain of such steps among the key's acknowledged writes.
// Multi-leader leaders keep version vectors and judge with those instead
// (multi_leader_convergence.hpp).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "experiments/output/spill.hpp"
#include "protocols/client/client.hpp"

namespace replisim {

// One acknowledged write: what the audit keeps of it (48 bytes).
struct AckedWrite {
  Key key = 0;
  Version version = 0;  // its last-writer-wins stamp (lww_version)
  ClientId client = 0;
  OpId op = 0;          // the client's: later issued, larger
  Time start = 0;       // issued
  Time end = 0;         // acknowledged to its client
};
static_assert(sizeof(AckedWrite) <= 48, "the audit keeps one per acknowledged write: keep it small");

// How many of `acked` are lost, given each key's final version. A key whose
// final version is none of its acknowledged writes' (0: never written, or a
// write its client saw fail or time out, which replisim cannot place in
// time) is not judged: the count is then a lower bound. Of writes stamped
// alike, the holder is the one of the highest client (lww_audit.cpp).
std::uint64_t lww_lost_writes(std::vector<AckedWrite> acked, const std::function<Version(Key)>& final_version);

// Keeps the acknowledged writes a run's end judges, in bounded memory: up to
// a buffer's worth in memory, then appended to a temporary file (a Spill) in
// chunks, one per bucket of keys, so that the end judges one bucket at a
// time (every key's writes in one bucket, the count a sum over keys). A run
// of ten million writes thus holds a bucket's worth (2 MB), not 480 MB.
class LwwAudit {
public:
  // Every finished operation; the acknowledged writes are kept.
  void completed(const Completion& op)
  {
    if (op.kind != OpKind::write || op.outcome != Outcome::ok)
      return;
    acked_.push_back({op.key, op.version, op.client, op.op, op.start, op.end});
    if (acked_.size() == kBuffer)
      spill();
  }
  // After the run, once.
  std::uint64_t take_lost(const std::function<Version(Key)>& final_version);

  static constexpr std::size_t kBuffer = 65536;
  static constexpr std::size_t kBuckets = 256;

private:
  struct Chunk {
    std::uint64_t offset;  // in the spill, in bytes
    std::size_t count;     // writes
  };
  void spill();

  std::vector<AckedWrite> acked_;
  std::unique_ptr<Spill> spill_;              // made at the first spill
  std::vector<std::vector<Chunk>> buckets_;   // per bucket of keys, its chunks in the spill
};

}  // namespace replisim
