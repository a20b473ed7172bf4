#include "protocols/leaderless/snitch.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace replisim {

SnitchKind parse_snitch(const std::string& text)
{
  if (text == "dynamic")
    return SnitchKind::dynamic;
  if (text == "simple")
    return SnitchKind::simple;
  throw std::invalid_argument("unknown snitch '" + text + "' (expected dynamic or simple)");
}

std::vector<NodeId> proximity_order(NodeId self, const std::vector<NodeId>& replicas, const Membership& membership)
{
  std::vector<NodeId> order = replicas;
  const int local = membership.zone[static_cast<std::size_t>(self)];
  const auto rank = [&](NodeId n) { return n == self ? 0 : membership.zone[static_cast<std::size_t>(n)] == local ? 1 : 2; };
  std::stable_sort(order.begin(), order.end(), [&](NodeId a, NodeId b) { return rank(a) < rank(b); });
  return order;
}

DynamicSnitch::DynamicSnitch(SnitchConfig config)
    : config_(config), next_update_(config.update_interval), next_reset_(config.reset_interval)
{
}

void DynamicSnitch::advance(Time now)
{
  // Tasks scheduled with a fixed period from the start; only the latest of
  // each matters, since no sample arrived in between.
  if (now >= next_update_) {
    update_scores();
    next_update_ = (std::floor(now / config_.update_interval) + 1) * config_.update_interval;
  }
  if (now >= next_reset_) {
    samples_.clear();  // DynamicEndpointSnitch.reset(): the scores stay until the next update
    next_reset_ = (std::floor(now / config_.reset_interval) + 1) * config_.reset_interval;
  }
}

void DynamicSnitch::record(NodeId replica, Time latency, Time now)
{
  if (config_.kind != SnitchKind::dynamic)
    return;
  advance(now);
  Samples& s = samples_[replica];
  const auto ms = static_cast<float>(latency * 1e3);
  if (s.ms.size() < kWindow)
    s.ms.push_back(ms);
  else
    s.ms[s.next] = ms;
  s.next = (s.next + 1) % kWindow;
}

void DynamicSnitch::update_scores()
{
  std::map<NodeId, double> medians;
  double max_latency = 1.0;  // ms: Cassandra's updateScores starts from 1
  for (const auto& [node, s] : samples_) {
    std::vector<float> sorted = s.ms;
    std::sort(sorted.begin(), sorted.end());
    // The median as Dropwizard's snapshot gives it (getValue(0.5)).
    const double pos = 0.5 * static_cast<double>(sorted.size() + 1);
    const auto below = static_cast<std::size_t>(std::floor(pos));
    double median;
    if (below < 1)
      median = sorted.front();
    else if (below >= sorted.size())
      median = sorted.back();
    else
      median = sorted[below - 1] + (pos - static_cast<double>(below)) * (sorted[below] - sorted[below - 1]);
    medians[node] = median;
    max_latency = std::max(max_latency, median);
  }
  scores_.clear();
  for (const auto& [node, median] : medians)
    scores_[node] = median / max_latency;
}

double DynamicSnitch::score(NodeId replica, Time now)
{
  advance(now);
  const auto it = scores_.find(replica);
  return it == scores_.end() ? 0.0 : it->second;
}

void DynamicSnitch::sort(std::vector<NodeId>& replicas, Time now)
{
  if (config_.kind != SnitchKind::dynamic || replicas.size() < 2)
    return;
  advance(now);
  std::vector<double> in_order;
  for (NodeId n : replicas) {
    const auto it = scores_.find(n);
    in_order.push_back(it == scores_.end() ? 0.0 : it->second);
  }
  std::vector<double> sorted = in_order;
  std::sort(sorted.begin(), sorted.end());
  // sortedByProximityWithBadness: the static order stands unless one of its
  // replicas is worse than the score order's by the threshold.
  bool keep = true;
  for (std::size_t i = 0; i < in_order.size() && keep; ++i)
    keep = in_order[i] <= sorted[i] * (1.0 + config_.badness_threshold);
  if (keep)
    return;
  std::vector<std::pair<double, NodeId>> ranked;
  for (std::size_t i = 0; i < replicas.size(); ++i)
    ranked.emplace_back(in_order[i], replicas[i]);
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < replicas.size(); ++i)
    replicas[i] = ranked[i].second;
}

}  // namespace replisim
