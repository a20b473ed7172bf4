// Everything measured per client operation: ops.csv rows as operations finish
// (streamed, so a run's memory does not grow with a row per op), latency
// samples for percentiles, and the staleness of each read.
#pragma once
#include <deque>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "experiments/output/samples.hpp"
#include "protocols/client/client.hpp"

namespace replisim {

// Nearest-rank percentile of an ascending sample; NaN when empty.
double percentile(const std::vector<double>& sorted, double p);

class OpMetrics {
public:
  // `ops_csv`: nullptr for no ops.csv. `oldest_outstanding`: when the oldest
  // operation still outstanding at any client started (kNever if none); a
  // write acknowledged before a read began started before it, so once every
  // operation that started before a read has finished, the read can be
  // judged. Without it, reads are judged as they come.
  explicit OpMetrics(std::ostream* ops_csv, std::function<Time()> oldest_outstanding = {});

  // Completions must arrive in the order they finished (simulated time).
  // A read is judged (stale or not) once every write that can have been
  // acknowledged before it began is known; rows keep the order operations
  // finished in.
  //
  // Memory stays bounded however long the run: every so often, each key's
  // history of acknowledged writes forgets the writes acknowledged before
  // the watermark — the oldest start of an operation not yet judged (still
  // outstanding, or finished and waiting) — but the last of them, whose
  // newest version is all a read starting after the watermark needs to be
  // judged stale or not (and its since_commit_ms). A read's versions_behind
  // counts acknowledged versions newer than the one it returned back to
  // that last write: exact unless the read returned a version older than
  // every version acknowledged before operations then outstanding began
  // (then it counts the newer ones since). Without `oldest_outstanding`
  // nothing is forgotten.
  void record(const Completion& op);

  // Where writes may be lost (leader-based models with failover), a read is
  // judged against the newest write acknowledged before it began and never
  // lost, which is known only after the run: reads are judged then, and
  // rows held until then (a failover run's memory grows with its ops, as its
  // log audit's does). Call before the first record.
  void judge_after_run() { judge_after_run_ = true; }
  // Whether reads that returned an uncommitted or lost write are counted
  // (dirty_reads; leader-based models).
  void count_dirty_reads() { counts_dirty_ = true; }
  bool counts_dirty_reads() const { return counts_dirty_; }

  // Judges what is left and sorts the latency samples; call once, after the
  // run. `lost`: the acknowledged writes the run lost, by op id.
  void finish(const std::unordered_set<OpId>& lost = {});

  std::uint64_t writes_ok = 0;
  std::uint64_t writes_failed = 0;     // refused: did not commit
  std::uint64_t writes_timed_out = 0;  // unanswered: may or may not have committed
  std::uint64_t writes_retried = 0;    // ended after more than one attempt, however they ended
  std::uint64_t write_attempts = 0;    // requests clients sent for writes, retries included
  std::uint64_t reads_ok = 0;
  std::uint64_t reads_failed = 0;
  std::uint64_t stale_reads = 0;
  // Ok reads that returned a write not committed when the replica answered
  // (as far as it knew), or one the run lost.
  std::uint64_t dirty_reads = 0;
  std::uint64_t stale_versions_behind = 0;  // summed over stale reads (k-staleness)
  std::uint64_t max_versions_behind = 0;
  std::uint64_t writes_led_by_primary = 0;
  double write_queued_ms = 0;  // summed over ok writes: time their critical paths waited in inboxes
  Samples write_ms;  // latencies of ok writes
  Samples read_ms;

  // t-visibility (Bailis et al., PBS): per bin of time since the newest
  // acknowledged write of the key, reads and how many saw it (or newer).
  static const std::vector<double> kVisibilityEdgesMs;
  std::vector<std::uint64_t> visibility_reads;
  std::vector<std::uint64_t> visibility_consistent;
  std::string visibility_csv() const;

private:
  void judge(const Completion& op);
  // Whether the oldest unjudged operation can be judged now.
  bool ready() const;
  // Forgets, per key, the acknowledged writes no read still to be judged
  // can need (see record).
  void forget_old_acks();

  // Where a write stands in its key's history: by term (0 in the models
  // without terms), then by version. A leader-based unit's later term
  // follows every write that committed before it, so a write of an older
  // term is older whatever its version.
  struct Stamp {
    Term term = 0;
    Version version = 0;
    friend auto operator<=>(const Stamp&, const Stamp&) = default;
  };
  static Stamp stamp_of(const Completion& op) { return {op.term, op.version}; }

  // One acknowledged write of a key. `newest` is the newest stamp
  // acknowledged up to `at` (with LWW timestamps a later ack may carry an
  // older version), `newest_at` when that write was acknowledged.
  struct Acked {
    Time at;
    Stamp stamp;
    OpId write;
    Stamp newest;
    Time newest_at;
  };
  // Recomputes each entry's newest from `from` on.
  static void renew(std::vector<Acked>& history, std::vector<Acked>::iterator from);
  // The last acknowledged write of `key` at or before `t`, if any.
  const Acked* acked_before(Key key, Time t) const;
  // Acknowledged writes of `key` newer than `stamp`, among those acked by `t`.
  std::uint64_t versions_newer(Key key, Time t, Stamp stamp) const;
  // The acknowledged write of `key` with `stamp`, for models whose reads
  // return versions only; none if none is known.
  std::optional<OpId> write_of(Key key, Stamp stamp) const;

  std::ostream* csv_;
  std::function<Time()> oldest_outstanding_;
  std::deque<Completion> unjudged_;  // in the order they finished
  std::unordered_map<Key, std::vector<Acked>> acked_;  // per key, in order of acknowledgement
  std::uint64_t recorded_since_forgetting_ = 0;
  bool judge_after_run_ = false;
  bool counts_dirty_ = false;
  const std::unordered_set<OpId>* lost_ = nullptr;  // during finish()
};

}  // namespace replisim
