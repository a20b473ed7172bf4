#include "experiments/op_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

#include <fmt/ostream.h>

namespace replisim {

double percentile(const std::vector<double>& sorted, double p)
{
  if (sorted.empty())
    return std::numeric_limits<double>::quiet_NaN();
  // p·n first: exact for whole percents, so the rank never rounds across an
  // integer (p / 100 · n gives 7.000000000000001 for p28 of 25 samples).
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size()) / 100.0));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

OpMetrics::OpMetrics(std::ostream* ops_csv) : csv_(ops_csv)
{
  if (csv_ != nullptr)
    *csv_ << "op_id,client,kind,key,unit,coordinator,primary,start_ms,end_ms,latency_ms,acks,outcome,version,stale,"
             "since_commit_ms\n";
}

std::optional<OpMetrics::Acked> OpMetrics::acked_before(Key key, Time t) const
{
  auto it = acked_.find(key);
  if (it == acked_.end())
    return std::nullopt;
  const auto& history = it->second;
  auto after = std::upper_bound(history.begin(), history.end(), t, [](Time x, const Acked& a) { return x < a.at; });
  if (after == history.begin())
    return std::nullopt;
  return *std::prev(after);
}

void OpMetrics::record(const Completion& op)
{
  const bool ok = op.outcome == Outcome::ok;
  const double latency_ms = (op.end - op.start) * 1e3;
  std::string_view stale;  // empty for writes and failed reads
  std::string since_commit;
  if (op.kind == OpKind::write) {
    if (ok) {
      ++writes_ok;
      write_ms.push_back(latency_ms);
      writes_led_by_primary += op.coordinator == op.primary ? 1 : 0;
      auto& history = acked_[op.key];
      history.push_back({op.end, history.empty() ? op.version : std::max(history.back().newest, op.version)});
    } else {
      ++writes_failed;
    }
  } else if (ok) {
    ++reads_ok;
    read_ms.push_back(latency_ms);
    // Stale: older than the newest write acknowledged before the read began.
    const auto acked = acked_before(op.key, op.start);
    const bool is_stale = acked && op.version < acked->newest;
    stale_reads += is_stale ? 1 : 0;
    stale = is_stale ? "1" : "0";
    if (acked)
      since_commit = fmt::format("{:.6f}", (op.start - acked->at) * 1e3);
  } else {
    ++reads_failed;
  }
  if (csv_ != nullptr)
    fmt::print(*csv_, "{},{},{},{},{},{},{},{:.6f},{:.6f},{:.6f},{},{},{},{},{}\n", op.op, op.client,
               to_string(op.kind), op.key, op.unit, op.coordinator, op.primary, op.start * 1e3, op.end * 1e3,
               latency_ms, op.acks, to_string(op.outcome), op.version, stale, since_commit);
}

void OpMetrics::finish()
{
  std::sort(write_ms.begin(), write_ms.end());
  std::sort(read_ms.begin(), read_ms.end());
}

}  // namespace replisim
