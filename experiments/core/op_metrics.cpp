#include "experiments/core/op_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

#include <fmt/format.h>

#include <fmt/ostream.h>

namespace replisim {

namespace {
constexpr std::uint64_t kForgetEvery = 1u << 16;  // operations between two passes over the keys' histories
}  // namespace

double percentile(const std::vector<double>& sorted, double p)
{
  if (sorted.empty())
    return std::numeric_limits<double>::quiet_NaN();
  // p·n first: exact for whole percents, so the rank never rounds across an
  // integer (p / 100 · n gives 7.000000000000001 for p28 of 25 samples).
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size()) / 100.0));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

const std::vector<double> OpMetrics::kVisibilityEdgesMs = {0,   0.5, 1,   2,    5,    10,   20,    50,
                                                            100, 200, 500, 1000, 2000, 5000, 10000, kNever};

OpMetrics::OpMetrics(std::ostream* ops_csv, std::function<Time()> oldest_outstanding)
    : visibility_reads(kVisibilityEdgesMs.size() - 1, 0), visibility_consistent(kVisibilityEdgesMs.size() - 1, 0),
      csv_(ops_csv), oldest_outstanding_(std::move(oldest_outstanding))
{
  if (csv_ != nullptr)
    *csv_ << "op_id,client,kind,key,unit,coordinator,primary,start_ms,end_ms,latency_ms,acks,outcome,version,stale,"
             "since_commit_ms,versions_behind,queued_ms,attempts,write_id,dirty\n";
}

const OpMetrics::Acked* OpMetrics::acked_before(Key key, Time t) const
{
  auto it = acked_.find(key);
  if (it == acked_.end())
    return nullptr;
  const auto& history = it->second;
  auto after = std::upper_bound(history.begin(), history.end(), t, [](Time x, const Acked& a) { return x < a.at; });
  return after == history.begin() ? nullptr : &*std::prev(after);
}

std::uint64_t OpMetrics::versions_newer(Key key, Time t, Stamp stamp) const
{
  const Acked* last = acked_before(key, t);
  if (last == nullptr)
    return 0;
  const auto& history = acked_.at(key);
  std::uint64_t count = 0;
  // Walk back only while an earlier write can still be newer than `stamp`.
  for (auto i = last - history.data(); i >= 0 && history[static_cast<std::size_t>(i)].newest > stamp; --i)
    count += history[static_cast<std::size_t>(i)].stamp > stamp ? 1 : 0;
  return count;
}

std::optional<OpId> OpMetrics::write_of(Key key, Stamp stamp) const
{
  auto it = acked_.find(key);
  if (it == acked_.end())
    return std::nullopt;
  const auto& history = it->second;
  for (auto i = std::ssize(history) - 1; i >= 0 && history[static_cast<std::size_t>(i)].newest >= stamp; --i)
    if (history[static_cast<std::size_t>(i)].stamp == stamp)
      return history[static_cast<std::size_t>(i)].write;
  return std::nullopt;
}

void OpMetrics::renew(std::vector<Acked>& history, std::vector<Acked>::iterator it)
{
  // Each entry's newest: the newest write acknowledged up to it.
  for (; it != history.end(); ++it) {
    const bool later = it == history.begin() || it->stamp >= std::prev(it)->newest;
    it->newest = later ? it->stamp : std::prev(it)->newest;
    it->newest_at = later ? it->at : std::prev(it)->newest_at;
  }
}

void OpMetrics::record(const Completion& op)
{
  if (op.kind == OpKind::write && op.outcome == Outcome::ok) {
    // A write is acknowledged when its leader or coordinator held the acks it
    // needed (PBS's commit), not when the reply reached the client; replies
    // can overtake one another, so commits are put in their own order.
    const Time committed = op.committed >= 0 ? op.committed : op.end;
    auto& history = acked_[op.key];
    const auto at = std::upper_bound(history.begin(), history.end(), committed,
                                     [](Time t, const Acked& a) { return t < a.at; });
    renew(history, history.insert(at, Acked{committed, stamp_of(op), op.op, stamp_of(op), committed}));
  }
  unjudged_.push_back(op);
  while (!unjudged_.empty() && ready()) {
    judge(unjudged_.front());
    unjudged_.pop_front();
  }
  if (++recorded_since_forgetting_ >= kForgetEvery) {
    recorded_since_forgetting_ = 0;
    forget_old_acks();
  }
}

// Every write recorded from now on started, and so was acknowledged, at or
// after the watermark; every read still to be judged started at or after it.
// A read starting at t >= watermark looks up the last write acknowledged by
// t: the last one before the watermark still answers for everything before.
void OpMetrics::forget_old_acks()
{
  if (!oldest_outstanding_)
    return;
  Time watermark = oldest_outstanding_();
  for (const Completion& op : unjudged_)
    watermark = std::min(watermark, op.start);
  for (auto& [key, history] : acked_) {
    const auto after = std::upper_bound(history.begin(), history.end(), watermark,
                                        [](Time t, const Acked& a) { return t < a.at; });
    if (after - history.begin() > 1)
      history.erase(history.begin(), std::prev(after));
  }
}

bool OpMetrics::ready() const
{
  const Completion& op = unjudged_.front();
  if (op.kind == OpKind::write || op.outcome != Outcome::ok)
    return true;
  return !judge_after_run_ && (!oldest_outstanding_ || oldest_outstanding_() > op.start);
}

void OpMetrics::judge(const Completion& op)
{
  const bool ok = op.outcome == Outcome::ok;
  const double latency_ms = (op.end - op.start) * 1e3;
  std::string_view stale;  // empty for writes and failed reads
  std::string since_commit;
  std::string behind;
  std::string write_id;
  std::string_view dirty;  // empty unless ok reads of a model that counts them
  if (op.kind == OpKind::write) {
    if (ok) {
      ++writes_ok;
      write_ms.add(latency_ms);
      writes_led_by_primary += op.coordinator == op.primary ? 1 : 0;
      write_queued_ms += op.queued * 1e3;
    } else if (op.outcome == Outcome::timeout) {
      ++writes_timed_out;
    } else {
      ++writes_failed;
    }
    writes_retried += op.attempts > 1 ? 1 : 0;
    write_attempts += static_cast<std::uint64_t>(op.attempts);
    write_id = fmt::format("{}", op.op);
  } else if (ok) {
    ++reads_ok;
    read_ms.add(latency_ms);
    const Stamp returned = stamp_of(op);
    const std::optional<OpId> write =
        op.write ? op.write : op.version == 0 ? std::nullopt : write_of(op.key, returned);
    if (write)
      write_id = fmt::format("{}", *write);
    if (counts_dirty_) {
      const bool is_dirty = op.uncommitted || (lost_ != nullptr && write && lost_->contains(*write));
      dirty = is_dirty ? "1" : "0";
      dirty_reads += is_dirty ? 1 : 0;
    }
    // Stale: older than the newest write acknowledged (and never lost)
    // before the read began.
    const Acked* acked = acked_before(op.key, op.start);
    const bool is_stale = acked != nullptr && returned < acked->newest;
    stale = is_stale ? "1" : "0";
    if (acked != nullptr) {
      const double t_ms = (op.start - acked->newest_at) * 1e3;
      since_commit = fmt::format("{:.6f}", t_ms);
      const auto bin = std::upper_bound(kVisibilityEdgesMs.begin(), kVisibilityEdgesMs.end(), t_ms) -
                       kVisibilityEdgesMs.begin() - 1;
      ++visibility_reads[static_cast<std::size_t>(bin)];
      visibility_consistent[static_cast<std::size_t>(bin)] += is_stale ? 0 : 1;
      const std::uint64_t k = versions_newer(op.key, op.start, returned);
      behind = fmt::format("{}", k);
      if (is_stale) {
        ++stale_reads;
        stale_versions_behind += k;
        max_versions_behind = std::max(max_versions_behind, k);
      }
    }
  } else {
    ++reads_failed;
  }
  if (csv_ != nullptr)
    fmt::print(*csv_, "{},{},{},{},{},{},{},{:.6f},{:.6f},{:.6f},{},{},{},{},{},{},{:.6f},{},{},{}\n", op.op,
               op.client, to_string(op.kind), op.key, op.unit, op.coordinator, op.primary, op.start * 1e3,
               op.end * 1e3, latency_ms, op.acks, to_string(op.outcome), op.version, stale, since_commit, behind,
               op.queued * 1e3, op.attempts, write_id, dirty);
}

std::string OpMetrics::visibility_csv() const
{
  std::string csv = "t_lo_ms,t_hi_ms,reads,consistent_fraction\n";
  for (std::size_t b = 0; b < visibility_reads.size(); ++b) {
    const double hi = kVisibilityEdgesMs[b + 1];
    const std::uint64_t n = visibility_reads[b];
    csv += fmt::format("{},{},{},{}\n", kVisibilityEdgesMs[b], hi == kNever ? std::string("inf") : fmt::format("{}", hi),
                       n, n == 0 ? std::string() : fmt::format("{:.6f}", static_cast<double>(visibility_consistent[b]) / static_cast<double>(n)));
  }
  return csv;
}

void OpMetrics::finish(const std::unordered_set<OpId>& lost)
{
  // Lost writes leave the histories: they are no bar for staleness.
  if (!lost.empty())
    for (auto& [key, history] : acked_) {
      const auto kept = std::remove_if(history.begin(), history.end(), [&](const Acked& a) { return lost.contains(a.write); });
      if (kept == history.end())
        continue;
      history.erase(kept, history.end());
      renew(history, history.begin());
    }
  lost_ = &lost;
  for (; !unjudged_.empty(); unjudged_.pop_front())
    judge(unjudged_.front());
  lost_ = nullptr;
}

}  // namespace replisim
