#include "protocols/leader_follower/replica_router.hpp"

#include <stdexcept>

namespace replisim {

ReadFrom parse_read_from(const std::string& text)
{
  // Kafka says leader and follower where MongoDB says primary and secondary.
  if (text == "primary" || text == "leader")
    return ReadFrom::primary;
  if (text == "secondary" || text == "follower")
    return ReadFrom::secondary;
  if (text == "nearest")
    return ReadFrom::nearest;
  throw std::invalid_argument("unknown read preference '" + text + "' (expected primary, secondary, nearest, leader or follower)");
}

std::string to_string(ReadFrom from)
{
  switch (from) {
    case ReadFrom::primary: return "primary";
    case ReadFrom::secondary: return "secondary";
    case ReadFrom::nearest: return "nearest";
  }
  return "?";
}

ReplicaRouter::ReplicaRouter(const Placement& placement, ReadFrom read_from, std::vector<double> latency_to_node)
    : placement_(placement), read_from_(read_from), latency_to_node_(std::move(latency_to_node))
{
  if (read_from == ReadFrom::nearest && latency_to_node_.size() != static_cast<std::size_t>(placement.node_count()))
    throw std::invalid_argument("nearest reads need a latency to every node");
}

NodeId ReplicaRouter::route(OpKind kind, UnitId unit, Rng& rng) const
{
  const auto set = placement_.replicas(unit);
  if (kind == OpKind::write && leader_now_ && down_.at(static_cast<std::size_t>(set.front()))) {
    if (const NodeId leader = leader_now_(unit); leader != kNoNode)
      return leader;
    for (NodeId n : set)
      if (!down_.at(static_cast<std::size_t>(n)))
        return n;
  }
  if (kind == OpKind::write || read_from_ == ReadFrom::primary || set.size() == 1)
    return set.front();
  if (read_from_ == ReadFrom::secondary)
    return set[1 + rng.below(set.size() - 1)];
  NodeId best = set.front();  // nearest; ties go to the earlier replica
  for (NodeId n : set)
    if (latency_to_node_[n] < latency_to_node_[best])
      best = n;
  return best;
}

}  // namespace replisim
