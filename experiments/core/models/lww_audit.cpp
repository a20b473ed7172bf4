#include "experiments/core/models/lww_audit.hpp"

#include <algorithm>
#include <limits>
#include <tuple>
#include <utility>

namespace replisim {

namespace {

using Writes = std::vector<AckedWrite>::iterator;

// One key's writes, sorted by client then op: the lost ones.
std::uint64_t lost_of_key(Writes first, Writes last, Version holder_version)
{
  // Writes stamped alike (one nanosecond of their clients' clocks, one
  // coordinator) are one version to the replicas; Cassandra keeps the
  // greater value of two cells with one timestamp, replisim the write of
  // the higher-numbered client (then the later one): the others are judged.
  const AckedWrite* holder = nullptr;
  for (Writes w = first; w != last; ++w)
    if (w->version == holder_version)
      holder = &*w;  // sorted by client then op: the last is the greatest
  if (holder == nullptr)
    return 0;  // not judged (see the header)
  // Walking each client's writes from its last to its first: `reached` is
  // the earliest acknowledgement among the client's writes issued at or
  // after the current one. Every write issued after it follows the current
  // write (one real-time step from a write that followed it in session
  // order); every later write of the client follows it too, and nothing
  // else: a write issued after a write that followed is issued after
  // `reached` already.
  std::uint64_t lost = 0;
  for (Writes client_last = last; client_last != first;) {
    Writes client_first = client_last - 1;
    while (client_first != first && (client_first - 1)->client == client_last[-1].client)
      --client_first;
    Time reached = std::numeric_limits<Time>::infinity();
    for (Writes w = client_last; w != client_first;) {
      --w;
      reached = std::min(reached, w->end);
      if (&*w == holder)
        continue;
      const bool followed = (holder->client == w->client && holder->op > w->op) || holder->start > reached;
      lost += followed ? 0 : 1;
    }
    client_last = client_first;
  }
  return lost;
}

}  // namespace

std::uint64_t lww_lost_writes(std::vector<AckedWrite> acked, const std::function<Version(Key)>& final_version)
{
  std::sort(acked.begin(), acked.end(), [](const AckedWrite& a, const AckedWrite& b) {
    return std::tie(a.key, a.client, a.op) < std::tie(b.key, b.client, b.op);
  });
  std::uint64_t lost = 0;
  for (auto first = acked.begin(); first != acked.end();) {
    auto last = std::find_if(first, acked.end(), [&](const AckedWrite& w) { return w.key != first->key; });
    lost += lost_of_key(first, last, final_version(first->key));
    first = last;
  }
  return lost;
}

namespace {

std::size_t bucket_of(Key key) { return static_cast<std::size_t>(key % LwwAudit::kBuckets); }

}  // namespace

void LwwAudit::spill()
{
  if (!spill_) {
    spill_ = std::make_unique<Spill>();
    buckets_.resize(kBuckets);
  }
  std::sort(acked_.begin(), acked_.end(),
            [](const AckedWrite& a, const AckedWrite& b) { return bucket_of(a.key) < bucket_of(b.key); });
  for (auto first = acked_.begin(); first != acked_.end();) {
    const std::size_t bucket = bucket_of(first->key);
    const auto last = std::find_if(first, acked_.end(), [&](const AckedWrite& w) { return bucket_of(w.key) != bucket; });
    const auto count = static_cast<std::size_t>(last - first);
    buckets_[bucket].push_back({spill_->append(&*first, count), count});
    first = last;
  }
  acked_.clear();
}

std::uint64_t LwwAudit::take_lost(const std::function<Version(Key)>& final_version)
{
  if (!spill_)
    return lww_lost_writes(std::exchange(acked_, {}), final_version);
  spill();
  acked_.shrink_to_fit();
  std::uint64_t lost = 0;
  std::vector<AckedWrite> chunk;
  for (const std::vector<Chunk>& chunks : std::exchange(buckets_, {})) {
    std::vector<AckedWrite> bucket;
    for (const Chunk& c : chunks) {
      spill_->read(c.offset, c.count, chunk);
      bucket.insert(bucket.end(), chunk.begin(), chunk.end());
    }
    lost += lww_lost_writes(std::move(bucket), final_version);
  }
  spill_.reset();
  return lost;
}

}  // namespace replisim
