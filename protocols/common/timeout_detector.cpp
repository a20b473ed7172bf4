#include "protocols/common/timeout_detector.hpp"

#include <cmath>

namespace replisim {

TimeoutDetector::TimeoutDetector(const Membership& truth, TimeoutDetectorConfig config)
    : truth_(truth), config_(config), view_(truth)
{
}

Time TimeoutDetector::conviction_of(Time down) const
{
  // The last heartbeat left at the last whole multiple of the period.
  return std::floor(down / config_.heartbeat) * config_.heartbeat + config_.timeout;
}

void TimeoutDetector::observe(Time now)
{
  for (NodeId n = 0; n < truth_.node_count(); ++n) {
    const auto i = static_cast<std::size_t>(n);
    const bool pending = pending_.contains(n);
    if (!truth_.alive[i] && view_.alive[i] && !pending) {
      pending_[n] = {now, conviction_of(now)};
    } else if (truth_.alive[i] && (!view_.alive[i] || pending)) {
      view_.alive[i] = true;  // back: it rejoins through the master
      pending_.erase(n);
    }
  }
}

bool TimeoutDetector::advance(Time now)
{
  bool changed = false;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.convicted > now) {
      ++it;
      continue;
    }
    view_.alive[static_cast<std::size_t>(it->first)] = false;
    detections_.push_back(it->second.convicted - it->second.down);
    changed = true;
    it = pending_.erase(it);
  }
  return changed;
}

Time TimeoutDetector::next_conviction() const
{
  Time next = kNever;
  for (const auto& [node, p] : pending_)
    next = std::min(next, p.convicted);
  return next;
}

}  // namespace replisim
