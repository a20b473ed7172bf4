#include "protocols/leaderless/coordinator_router.hpp"

#include "protocols/common/setting_error.hpp"

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
    : placement_(placement), membership_(membership), choice_(choice), client_zone_(client_zone)
{
  refresh();
  if (live_.empty())
    throw SettingError(Setting::down, "every node is down");
}

void CoordinatorRouter::refresh() const
{
  if (seen_alive_ == membership_.alive && !seen_alive_.empty())
    return;
  seen_alive_ = membership_.alive;
  live_.clear();
  live_local_.clear();
  for (NodeId n = 0; n < membership_.node_count(); ++n) {
    if (!membership_.alive[n])
      continue;
    live_.push_back(n);
    if (membership_.zone[n] == client_zone_)
      live_local_.push_back(n);
  }
  if (live_local_.empty())
    live_local_ = live_;
}

NodeId CoordinatorRouter::pick(const std::vector<NodeId>& candidates, Rng& rng) const
{
  return candidates[rng.below(candidates.size())];
}

NodeId CoordinatorRouter::route(OpKind, UnitId unit, Rng& rng) const
{
  refresh();
  if (live_.empty())
    return 0;  // every node is down for now: the request is lost and times out
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

NodeId CoordinatorRouter::retry_target(OpKind kind, UnitId unit, NodeId, const Placement&, Rng& rng) const
{
  return route(kind, unit, rng);
}

}  // namespace replisim
