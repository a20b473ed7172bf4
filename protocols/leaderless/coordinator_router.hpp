// Client-side choice of a coordinator in a leaderless store (a driver's load
// balancing policy): any live node, a live replica of the key (token-aware),
// or a live node of the client's own zone. "Live" is the membership's view at
// the time of the choice: nodes that go down or come back during a run leave
// or rejoin the candidates.
#pragma once
#include <string>
#include <vector>

#include "protocols/client/client.hpp"
#include "protocols/common/membership.hpp"

namespace replisim {

enum class CoordinatorChoice : std::uint8_t { random, token_aware, local };
CoordinatorChoice parse_coordinator_choice(const std::string& text);

class CoordinatorRouter final : public Router {
public:
  CoordinatorRouter(const Placement& placement, const Membership& membership, CoordinatorChoice choice,
                    int client_zone);
  NodeId route(OpKind kind, UnitId unit, Rng& rng) const override;
  // A retry goes to a coordinator chosen afresh (Cassandra drivers retry an
  // unavailable or timed-out request on the next host of the query plan).
  NodeId retry_target(OpKind kind, UnitId unit, NodeId previous, const Placement& placement,
                      Rng& rng) const override;

private:
  NodeId pick(const std::vector<NodeId>& candidates, Rng& rng) const;
  void refresh() const;  // recomputes the candidates when the membership changed

  const Placement& placement_;
  const Membership& membership_;
  CoordinatorChoice choice_;
  int client_zone_;
  mutable std::vector<bool> seen_alive_;   // the membership the candidates were computed from
  mutable std::vector<NodeId> live_;        // every live node
  mutable std::vector<NodeId> live_local_;  // live nodes of the client's zone (all live nodes if none)
};

}  // namespace replisim
