#include "protocols/chain_router.hpp"

namespace replisim {

ChainRouter::ChainRouter(const Placement& placement, ChainReads reads) : placement_(placement), reads_(reads) {}

NodeId ChainRouter::route(OpKind kind, UnitId unit, Rng& rng) const
{
  const auto chain = placement_.replicas(unit);
  if (kind == OpKind::write)
    return chain.front();
  if (reads_ == ChainReads::tail)
    return chain.back();  // no draw: tail reads leave the routing stream untouched
  return chain[rng.below(chain.size())];  // CRAQ spreads reads uniformly over the chain
}

NodeId ChainRouter::primary(const Placement& placement, UnitId unit, NodeId /*coordinator*/) const
{
  return placement.replicas(unit).back();
}

}  // namespace replisim
