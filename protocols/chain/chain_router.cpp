#include "protocols/chain/chain_router.hpp"

namespace replisim {

ChainRouter::ChainRouter(const Placement& placement, ChainReads reads, const Membership* membership)
    : placement_(placement), reads_(reads), membership_(membership)
{
}

std::vector<NodeId> ChainRouter::live_chain(UnitId unit) const
{
  const auto chain = placement_.replicas(unit);
  std::vector<NodeId> live;
  for (NodeId n : chain)
    if (membership_ == nullptr || membership_->alive.at(n))
      live.push_back(n);
  if (live.empty())
    live.assign(chain.begin(), chain.end());  // nobody is up: the request is lost and times out
  return live;
}

NodeId ChainRouter::route(OpKind kind, UnitId unit, Rng& rng) const
{
  if (membership_ == nullptr) {  // everyone up for good: the placement's chain
    const auto chain = placement_.replicas(unit);
    if (kind == OpKind::write)
      return chain.front();
    return reads_ == ChainReads::tail ? chain.back() : chain[rng.below(chain.size())];
  }
  const auto chain = live_chain(unit);
  if (kind == OpKind::write)
    return chain.front();
  if (reads_ == ChainReads::tail)
    return chain.back();  // no draw: tail reads leave the routing stream untouched
  return chain[rng.below(chain.size())];  // CRAQ spreads reads uniformly over the chain
}

NodeId ChainRouter::primary(const Placement&, UnitId unit, NodeId /*coordinator*/) const
{
  return live_chain(unit).back();
}

NodeId ChainRouter::retry_target(OpKind kind, UnitId unit, NodeId previous, const Placement& placement,
                                 Rng& rng) const
{
  const NodeId next = route(kind, unit, rng);
  return next != previous ? next : Router::retry_target(kind, unit, previous, placement, rng);
}

}  // namespace replisim
