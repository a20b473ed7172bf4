#include "experiments/core/leadership.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace replisim {

LeadershipTracker::LeadershipTracker(const Model& model, const std::vector<bool>& alive)
    : model_(model), alive_(alive), paused_(alive.size(), false),
      leaderless_since_(static_cast<std::size_t>(model.placement().unit_count()), kNever),
      last_leader_(leaderless_since_.size(), kNoNode), tracked_(leaderless_since_.size(), false),
      unwritable_since_(leaderless_since_.size(), kNever),
      before_(std::nan("")), after_(std::nan(""))
{
}

void LeadershipTracker::changed(Time now)
{
  const UnitRoles roles = model_.roles();
  std::vector<int> counts(alive_.size(), 0);
  bool all_led = true;
  for (std::size_t u = 0; u < roles.leaders.size(); ++u) {
    NodeId leader = kNoNode;
    for (NodeId n : roles.leaders[u])
      if (responsive(n)) {
        ++counts[static_cast<std::size_t>(n)];
        leader = leader == kNoNode ? n : leader;
      }
    const bool led = leader != kNoNode;
    // Units led at the start are followed, and those whose leader is
    // elected (failover on) although none is up at the start (--down): they
    // are without one from the start. A leaderless store's units have no
    // leader to lose.
    if (changes_.empty())
      tracked_[u] = led || model_.primary_now(static_cast<UnitId>(u)).has_value();
    if (!tracked_[u])
      continue;
    Time& since = leaderless_since_[u];
    if (!led && since == kNever)
      since = now;
    else if (led && since != kNever) {
      end_outage(static_cast<UnitId>(u), now, leader);
    }
    if (led)
      last_leader_[u] = leader;
    all_led = all_led && led;
    Time& unwritable = unwritable_since_[u];
    const bool writable = led && can_commit(static_cast<UnitId>(u), roles.leaders[u]);
    if (!writable && unwritable == kNever)
      unwritable = now;
    else if (writable && unwritable != kNever) {
      write_outages_ms_.push_back((now - unwritable) * 1e3);
      unwritable = kNever;
    }
  }
  counts_ = counts;
  if (changes_.empty() || changes_.back().counts != counts) {
    if (!changes_.empty() && changes_.back().at == now)
      changes_.back().counts = counts;
    else
      changes_.push_back({now, counts});
  }
  if (faulted_ && !recovered_ && all_led) {
    recovered_ = true;
    after_ = imbalance();
  }
}

bool LeadershipTracker::can_commit(UnitId unit, const std::vector<NodeId>& leaders) const
{
  const int needed = model_.replicas_to_commit();
  if (needed <= 1)
    return true;
  const auto replicas = model_.placement().replicas(unit);
  for (NodeId leader : leaders) {
    if (!responsive(leader))
      continue;
    int reached = 0;
    for (NodeId r : replicas)
      if (responsive(r) && (r == leader || !connected_ || connected_(leader, r)))
        ++reached;
    if (reached >= needed)
      return true;
  }
  return false;
}

void LeadershipTracker::event(const RoleEvent& e)
{
  if (e.kind == RoleEvent::Kind::election_started)
    ++elections_;
  else if (e.kind == RoleEvent::Kind::election_lost)
    ++split_votes_;
}

// Up and not paused: a paused node neither leads nor acknowledges.
bool LeadershipTracker::responsive(NodeId node) const
{
  return alive_.at(static_cast<std::size_t>(node)) && !paused_.at(static_cast<std::size_t>(node));
}

void LeadershipTracker::set_paused(NodeId node, bool paused) { paused_.at(static_cast<std::size_t>(node)) = paused; }

void LeadershipTracker::fault(Time)
{
  if (faulted_)
    return;
  faulted_ = true;
  before_ = imbalance();
}

void LeadershipTracker::end_outage(UnitId unit, Time now, NodeId leader)
{
  Time& since = leaderless_since_[unit];
  outages_ms_.push_back((now - since) * 1e3);
  outages_.push_back({unit, since, now, last_leader_[unit], leader});
  since = kNever;
}

void LeadershipTracker::finish(Time now)
{
  for (UnitId u = 0; u < static_cast<UnitId>(leaderless_since_.size()); ++u)
    if (leaderless_since_[u] != kNever)
      end_outage(u, now, kNoNode);
  for (Time& since : unwritable_since_)
    if (since != kNever) {
      write_outages_ms_.push_back((now - since) * 1e3);
      since = kNever;
    }
  std::sort(outages_ms_.begin(), outages_ms_.end());
  std::sort(write_outages_ms_.begin(), write_outages_ms_.end());
}

double LeadershipTracker::imbalance() const
{
  const int most = counts_.empty() ? 0 : *std::max_element(counts_.begin(), counts_.end());
  const double mean = counts_.empty() ? 0 : std::accumulate(counts_.begin(), counts_.end(), 0.0) / static_cast<double>(counts_.size());
  return mean == 0 ? std::nan("") : most / mean;
}

NodeId LeadershipTracker::most_leaders() const
{
  if (counts_.empty())
    return kNoNode;
  const auto it = std::max_element(counts_.begin(), counts_.end());
  return *it == 0 ? kNoNode : static_cast<NodeId>(it - counts_.begin());
}

std::vector<LeadershipTracker::Sample> LeadershipTracker::timeline(double step, Time end) const
{
  std::vector<Sample> rows;
  timeline(step, end, [&rows](const Sample& s) { rows.push_back(s); });
  return rows;
}

void LeadershipTracker::timeline(double step, Time end, const std::function<void(const Sample&)>& row) const
{
  if (step <= 0 || changes_.empty())
    return;
  std::size_t c = 0;
  for (std::uint64_t k = 0;; ++k) {
    const Time t = static_cast<double>(k) * step;
    if (t > end)
      break;
    while (c + 1 < changes_.size() && changes_[c + 1].at <= t)
      ++c;
    for (std::size_t n = 0; n < changes_[c].counts.size(); ++n)
      row({t, static_cast<NodeId>(n), changes_[c].counts[n]});
  }
}

}  // namespace replisim
