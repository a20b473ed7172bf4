// Cassandra's phi-accrual failure detector (org.apache.cassandra.gms.
// FailureDetector and ArrivalWindow, Cassandra 3.0 and later, after
// Hayashibara et al., "The φ accrual failure detector", 2004), with the
// exponential distribution Cassandra assumes since CASSANDRA-2597:
//
//   phi = PHI_FACTOR · Δt / mean,   PHI_FACTOR = 1 / ln 10 (0.434…)
//
// where Δt is the time since the observer last learnt a newer heartbeat of
// the endpoint and `mean` the mean interval between such arrivals. An
// endpoint is convicted when phi exceeds phi_convict_threshold (8): after
// 8 · ln 10 ≈ 18.4 means without news. The first arrival records the initial
// interval (FailureDetector.INITIAL_VALUE_NANOS: twice the gossip interval,
// 2 s); later intervals longer than MAX_INTERVAL_IN_NANO (2 s, the
// cassandra.fd_max_interval_ms property) are not recorded.
//
// Cassandra keeps the last 1,000 intervals of every endpoint; replisim keeps
// their running mean (a sum and a count), which equals the window's mean for
// the first 1,000 arrivals, so that the state of a pair is three numbers.
#pragma once
#include <cmath>
#include <cstdint>

#include "protocols/common/types.hpp"

namespace replisim {

struct PhiConfig {
  double convict_threshold = 8.0;  // phi_convict_threshold
  Time initial_interval = 2.0;     // FailureDetector.INITIAL_VALUE_NANOS: 2 × the gossip interval
  Time max_interval = 2.0;         // ArrivalWindow.MAX_INTERVAL_IN_NANO: longer intervals are not recorded
};

// 1 / ln 10: Cassandra's PHI_FACTOR, kept "for backwards compatibility in
// phi_convict_threshold" when phi became exponential.
inline const double kPhiFactor = 1.0 / std::log(10.0);

// The arrivals of one endpoint's heartbeats at one observer.
class ArrivalMean {
public:
  // A newer heartbeat arrived at `now`.
  void add(Time now, const PhiConfig& config)
  {
    if (count_ == 0) {
      sum_ = config.initial_interval;  // ArrivalWindow.add: the first arrival records the initial value
      count_ = 1;
    } else if (const Time interval = now - last_; interval <= config.max_interval) {
      sum_ += interval;
      ++count_;
    }
    last_ = now;
  }
  bool empty() const { return count_ == 0; }
  Time mean() const { return count_ == 0 ? 0 : sum_ / count_; }
  Time last() const { return last_; }
  // FailureDetector.interpret: phi at `now`.
  double phi(Time now) const { return count_ == 0 ? 0 : kPhiFactor * (now - last_) / mean(); }
  bool convicts(Time now, const PhiConfig& config) const { return phi(now) > config.convict_threshold; }
  // The earliest time phi exceeds the threshold: the last arrival plus
  // threshold · ln 10 · mean (the closed form the tests check against).
  Time conviction_after(const PhiConfig& config) const
  {
    return last_ + config.convict_threshold * std::log(10.0) * mean();
  }

private:
  Time sum_ = 0;
  std::uint32_t count_ = 0;
  Time last_ = 0;
};

}  // namespace replisim
