#include "protocols/leaderless/speculative_retry.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

namespace replisim {

namespace {

std::string upper(std::string text)
{
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// A finite number filling all of `text`.
bool number(const std::string& text, double& value)
{
  if (text.empty())
    return false;
  std::size_t used = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == text.size() && std::isfinite(value);
}

}  // namespace

Time histogram_bucket(Time latency)
{
  // EstimatedHistogram.newOffsets: 1, 2, 3, ..., each Math.round(last × 1.2)
  // (at least last + 1), in nanoseconds; a value counts in the first bucket
  // whose offset is at or above it, and a percentile is that offset.
  const double ns = std::ceil(latency * 1e9);
  long long offset = 1;
  while (static_cast<double>(offset) < ns) {
    const auto next = static_cast<long long>(std::floor(static_cast<double>(offset) * 1.2 + 0.5));
    offset = next == offset ? next + 1 : next;
  }
  return static_cast<double>(offset) / 1e9;
}

SpeculativeRetry parse_speculative_retry(const std::string& text)
{
  const std::string u = upper(text);
  const std::string expected = "' (expected NONE, ALWAYS, a delay such as 50ms, or a percentile such as 99p)";
  if (u == "NONE")
    return {SpeculativeRetry::Kind::none, 0};
  if (u == "ALWAYS")
    return {SpeculativeRetry::Kind::always, 0};
  double v = 0;
  for (const std::string suffix : {"PERCENTILE", "P"})
    if (u.size() > suffix.size() && u.ends_with(suffix) && number(u.substr(0, u.size() - suffix.size()), v)) {
      if (v <= 0 || v >= 100)
        throw std::invalid_argument("speculative retry '" + text + "': a percentile must be above 0 and below 100");
      return {SpeculativeRetry::Kind::percentile, v};
    }
  if (u.size() > 2 && u.ends_with("MS") && number(u.substr(0, u.size() - 2), v)) {
    if (v < 0)
      throw std::invalid_argument("speculative retry '" + text + "': a delay cannot be negative");
    return {SpeculativeRetry::Kind::fixed, v / 1e3};
  }
  throw std::invalid_argument("unknown speculative retry '" + text + expected);
}

SpeculationThreshold::SpeculationThreshold(SpeculativeRetry policy, Time read_timeout)
    : policy_(policy), period_(read_timeout), threshold_(read_timeout / 2), next_update_(read_timeout)
{
}

void SpeculationThreshold::advance(Time now)
{
  if (policy_.kind != SpeculativeRetry::Kind::percentile || now < next_update_ || period_ <= 0)
    return;
  if (!samples_.empty()) {  // PercentileSpeculativeRetryPolicy keeps the old value without samples
    std::vector<double> sorted = samples_;
    std::sort(sorted.begin(), sorted.end());
    // Nearest rank: the smallest latency at or above P% of the samples.
    const auto rank = static_cast<std::size_t>(std::ceil(policy_.value / 100.0 * static_cast<double>(sorted.size())));
    threshold_ = histogram_bucket(sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1]);
  }
  next_update_ = (std::floor(now / period_) + 1) * period_;
}

void SpeculationThreshold::record(Time latency, Time now)
{
  if (policy_.kind != SpeculativeRetry::Kind::percentile)
    return;
  advance(now);
  if (samples_.size() < kWindow)
    samples_.push_back(latency);
  else
    samples_[next_] = latency;
  next_ = (next_ + 1) % kWindow;
}

Time SpeculationThreshold::threshold(Time now)
{
  switch (policy_.kind) {
    case SpeculativeRetry::Kind::none:
    case SpeculativeRetry::Kind::always: return kNever;
    case SpeculativeRetry::Kind::fixed: return policy_.value;
    case SpeculativeRetry::Kind::percentile: advance(now); return threshold_;
  }
  return kNever;
}

}  // namespace replisim
