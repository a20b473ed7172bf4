#include "protocols/common/gossip.hpp"

#include <utility>

namespace replisim {

Gossiper::Gossiper(NodeId self, int node_count, GossipConfig config, std::uint64_t seed, TimerId timer)
    : self_(self), node_count_(node_count), config_(config), rng_(seed), timer_(timer)
{
}

void Gossiper::start(Time now, Ready& out)
{
  out.set_timer(timer_, now + config_.interval * (1.0 - rng_.uniform()));
}

NodeId Gossiper::pick_peer()
{
  // Gossiper.doGossipToLiveMember: a random endpoint among those it holds
  // live. Convicted endpoints are few: drawing again is cheaper than a list.
  if (node_count_ < 2)
    return kNoNode;
  for (int attempt = 0; attempt < 64; ++attempt) {
    auto peer = static_cast<NodeId>(rng_.below(static_cast<std::uint64_t>(node_count_ - 1)));
    peer += peer >= self_ ? 1 : 0;
    if (!convicted(peer))
      return peer;
  }
  return kNoNode;
}

void Gossiper::round(Time now, Ready& out)
{
  ++heartbeat_;  // GossipTask: the own heartbeat first
  if (const NodeId peer = pick_peer(); peer != kNoNode) {
    out.send(Address::node(self_), Address::node(peer),
             GossipSyn{static_cast<std::uint32_t>(node_count_), heartbeat_});
    ++messages_sent_;
  }
  status_check(now);
  out.set_timer(timer_, now + config_.interval);
}

void Gossiper::on(const GossipSyn&, Address from, Time, Ready& out)
{
  out.send(Address::node(self_), from, GossipAck{static_cast<std::uint32_t>(node_count_), heartbeat_});
  ++messages_sent_;
}

// The peer's newer states are in: a newer heartbeat of every endpoint still
// heartbeating (see the reduction in gossip.hpp), and of those back.
void Gossiper::on(const GossipAck&, Address, Time now, Ready&)
{
  arrivals_.add(now, config_.phi);
  for (auto it = silent_.begin(); it != silent_.end();) {
    if (!it->second.back) {
      ++it;
      continue;
    }
    if (it->second.convicted)
      verdicts_.push_back({it->first, false, now});  // Gossiper.markAlive
    it = silent_.erase(it);
  }
}

void Gossiper::status_check(Time now)
{
  for (auto& [node, s] : silent_) {
    if (s.convicted || s.back || !s.last.convicts(now, config_.phi))
      continue;
    s.convicted = true;  // FailureDetector.interpret: phi > phi_convict_threshold
    verdicts_.push_back({node, true, now});
    detections_.push_back(now - s.since);
  }
}

void Gossiper::went_silent(NodeId node, Time now)
{
  if (auto it = silent_.find(node); it != silent_.end() && it->second.convicted) {
    it->second.back = false;  // down again before a newer heartbeat arrived: still convicted
    return;
  }
  Silent s{now, arrivals_};
  if (s.last.empty())
    s.last.add(now, config_.phi);  // no exchange yet: heard of at start, with the initial interval
  silent_[node] = s;
}

void Gossiper::heard_again(NodeId node)
{
  if (auto it = silent_.find(node); it != silent_.end())
    it->second.back = true;
}

void Gossiper::convict_now(NodeId node, Time now)
{
  Silent& s = silent_[node];
  s = Silent{now, arrivals_, true, false};
}

void Gossiper::crash()
{
  arrivals_ = ArrivalMean{};
  silent_.clear();
}

Time Gossiper::conviction_bound(NodeId node) const
{
  const auto it = silent_.find(node);
  return it == silent_.end() ? kNever : it->second.last.conviction_after(config_.phi);
}

}  // namespace replisim
