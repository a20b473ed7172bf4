// Everything measured per client operation: ops.csv rows as operations finish
// (streamed, so a run's memory does not grow with a row per op), latency
// samples for percentiles, and the staleness of each read.
#pragma once
#include <optional>
#include <ostream>
#include <unordered_map>
#include <vector>

#include "protocols/client.hpp"

namespace replisim {

// Nearest-rank percentile of an ascending sample; NaN when empty.
double percentile(const std::vector<double>& sorted, double p);

class OpMetrics {
public:
  explicit OpMetrics(std::ostream* ops_csv);  // nullptr: no ops.csv

  // Completions must arrive in the order they finished (simulated time).
  void record(const Completion& op);

  // Sorts the latency samples; call once, after the run.
  void finish();

  std::uint64_t writes_ok = 0;
  std::uint64_t writes_failed = 0;  // failed or timed out
  std::uint64_t reads_ok = 0;
  std::uint64_t reads_failed = 0;
  std::uint64_t stale_reads = 0;
  std::uint64_t writes_led_by_primary = 0;
  std::vector<double> write_ms;  // latencies of ok writes
  std::vector<double> read_ms;

private:
  struct Acked {
    Time at;
    Version newest;  // the newest version acknowledged up to `at`
  };
  // The newest write of `key` acknowledged at or before `t`.
  std::optional<Acked> acked_before(Key key, Time t) const;

  std::ostream* csv_;
  std::unordered_map<Key, std::vector<Acked>> acked_;  // per key, in time order
};

}  // namespace replisim
