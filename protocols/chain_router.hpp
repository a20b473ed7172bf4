// Client-side routing for chain replication: writes go to the unit's head,
// reads to its tail (§2) or, with CRAQ, to any of its replicas (CRAQ §2.3:
// "any node in the chain" can serve a read).
#pragma once
#include "protocols/chain.hpp"
#include "protocols/client.hpp"

namespace replisim {

class ChainRouter final : public Router {
public:
  ChainRouter(const Placement& placement, ChainReads reads);
  NodeId route(OpKind kind, UnitId unit, Rng& rng) const override;
  // The tail: it holds the committed copy every read trusts, so it is the
  // unit's primary (storage role), while the head leads (write role).
  NodeId primary(const Placement& placement, UnitId unit, NodeId coordinator) const override;

private:
  const Placement& placement_;
  ChainReads reads_;
};

}  // namespace replisim
