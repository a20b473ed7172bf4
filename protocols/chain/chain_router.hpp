// Client-side routing for chain replication: writes go to the unit's head,
// reads to its tail (§2) or, with CRAQ, to any of its replicas (CRAQ §2.3:
// "any node in the chain" can serve a read). With a membership the chain is
// its live replicas in placement order: the head is the first live replica,
// the tail the last, as the nodes themselves see it (ChainNode).
#pragma once
#include <vector>

#include "protocols/chain/chain.hpp"
#include "protocols/client/client.hpp"
#include "protocols/common/membership.hpp"

namespace replisim {

class ChainRouter final : public Router {
public:
  ChainRouter(const Placement& placement, ChainReads reads, const Membership* membership = nullptr);
  NodeId route(OpKind kind, UnitId unit, Rng& rng) const override;
  // The tail: it holds the committed copy every read trusts, so it is the
  // unit's primary (storage role), while the head leads (write role).
  NodeId primary(const Placement& placement, UnitId unit, NodeId coordinator) const override;
  // Where the chain now takes the operation, unless that is where it just
  // failed (then the next replica, round robin).
  NodeId retry_target(OpKind kind, UnitId unit, NodeId previous, const Placement& placement,
                      Rng& rng) const override;

private:
  std::vector<NodeId> live_chain(UnitId unit) const;  // all replicas when none is up

  const Placement& placement_;
  ChainReads reads_;
  const Membership* membership_;
};

}  // namespace replisim
