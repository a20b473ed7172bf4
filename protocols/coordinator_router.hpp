// Client-side choice of a coordinator in a leaderless store (a driver's load
// balancing policy): any live node, a live replica of the key (token-aware),
// or a live node of the client's own zone.
#pragma once
#include <string>
#include <vector>

#include "protocols/client.hpp"
#include "protocols/membership.hpp"

namespace replisim {

enum class CoordinatorChoice : std::uint8_t { random, token_aware, local };
CoordinatorChoice parse_coordinator_choice(const std::string& text);

class CoordinatorRouter final : public Router {
public:
  CoordinatorRouter(const Placement& placement, const Membership& membership, CoordinatorChoice choice,
                    int client_zone);
  NodeId route(OpKind kind, UnitId unit, Rng& rng) const override;

private:
  NodeId pick(const std::vector<NodeId>& candidates, Rng& rng) const;

  const Placement& placement_;
  const Membership& membership_;
  CoordinatorChoice choice_;
  std::vector<NodeId> live_;        // every live node
  std::vector<NodeId> live_local_;  // live nodes of the client's zone (all live nodes if none)
};

}  // namespace replisim
