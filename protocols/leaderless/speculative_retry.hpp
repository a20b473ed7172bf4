// Cassandra's speculative retry for reads (the table option
// speculative_retry, default '99p'): when the replicas a read contacted have
// not answered within a threshold, the coordinator asks one more replica.
//   NONE   — never;
//   ALWAYS — every read contacts one replica more from the start;
//   Nms    — after N milliseconds;
//   Pp     — after the P-th percentile of this coordinator's recent read
//            latencies (Cassandra's coordinatorReadLatency of the table).
// The percentile is recomputed every read_request_timeout (ColumnFamilyStore
// schedules updateSpeculationThreshold at that period) from the reads
// answered since the start, the last kWindow of them, and rounded up to the
// bucket of Cassandra's latency histogram it falls in (buckets 20 % wide, so
// the threshold lies up to 20 % above the percentile); until the first
// update, and while there is no sample, the threshold is half the read
// timeout, as ColumnFamilyStore initialises sampleReadLatencyNanos.
#pragma once
#include <string>
#include <vector>

#include "protocols/common/types.hpp"

namespace replisim {

struct SpeculativeRetry {
  enum class Kind : std::uint8_t { none, always, fixed, percentile };
  Kind kind = Kind::percentile;
  double value = 99.0;  // fixed: seconds; percentile: 0 < P < 100
};

// The upper bound of the bucket of Cassandra's latency histograms
// (EstimatedHistogram: bucket offsets growing by 1.2, in nanoseconds) that
// holds `latency` (seconds).
Time histogram_bucket(Time latency);

// "NONE", "ALWAYS", "50ms", "99p" or "99PERCENTILE" (any case, as CQL takes
// them). Throws std::invalid_argument naming the value.
SpeculativeRetry parse_speculative_retry(const std::string& text);

class SpeculationThreshold {
public:
  SpeculationThreshold(SpeculativeRetry policy, Time read_timeout);

  // A read this coordinator answered, `latency` seconds after its client asked.
  void record(Time latency, Time now);
  // How long a read waits before asking one more replica; kNever for NONE
  // (and ALWAYS, which asks it at once).
  Time threshold(Time now);

private:
  static constexpr std::size_t kWindow = 1000;
  void advance(Time now);

  SpeculativeRetry policy_;
  Time period_;
  Time threshold_;
  Time next_update_;
  std::vector<double> samples_;  // ring buffer, seconds
  std::size_t next_ = 0;
};

}  // namespace replisim
