#include "protocols/coordinator_router.hpp"

#include <stdexcept>

namespace replisim {

CoordinatorChoice parse_coordinator_choice(const std::string& text)
{
  if (text == "random")
    return CoordinatorChoice::random;
  if (text == "token-aware")
    return CoordinatorChoice::token_aware;
  if (text == "local")
    return CoordinatorChoice::local;
  throw std::invalid_argument("unknown coordinator choice '" + text + "' (expected random, token-aware or local)");
}

CoordinatorRouter::CoordinatorRouter(const Placement& placement, const Membership& membership,
                                     CoordinatorChoice choice, int client_zone)
    : placement_(placement), membership_(membership), choice_(choice)
{
  for (NodeId n = 0; n < membership.node_count(); ++n) {
    if (!membership.alive[n])
      continue;
    live_.push_back(n);
    if (membership.zone[n] == client_zone)
      live_local_.push_back(n);
  }
  if (live_.empty())
    throw std::invalid_argument("--down: every node is down");
  if (live_local_.empty())
    live_local_ = live_;
}

NodeId CoordinatorRouter::pick(const std::vector<NodeId>& candidates, Rng& rng) const
{
  return candidates[rng.below(candidates.size())];
}

NodeId CoordinatorRouter::route(OpKind, UnitId unit, Rng& rng) const
{
  switch (choice_) {
    case CoordinatorChoice::random: return pick(live_, rng);
    case CoordinatorChoice::local: return pick(live_local_, rng);
    case CoordinatorChoice::token_aware: {
      std::vector<NodeId> replicas;
      for (NodeId n : placement_.replicas(unit))
        if (membership_.alive[n])
          replicas.push_back(n);
      return replicas.empty() ? pick(live_, rng) : pick(replicas, rng);
    }
  }
  return live_.front();
}

}  // namespace replisim
