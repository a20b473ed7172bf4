#include "experiments/core/invariants.hpp"

#include <fmt/format.h>

namespace replisim {

void Invariants::violated(Time at, const std::string& what)
{
  if (!violation_)
    violation_ = fmt::format("invariant violated at {:.6f} s: {}", at, what);
}

void Invariants::role_changed(const RoleEvent& e)
{
  if (!checked_ || e.kind != RoleEvent::Kind::became_leader)
    return;
  const auto [it, first] = leaders_.emplace(std::pair{e.unit, e.term}, e.node);
  if (!first && it->second != e.node)
    violated(e.at, fmt::format("unit {}, term {}: nodes {} and {} both became its leader", e.unit, e.term, it->second,
                               e.node));
}

}  // namespace replisim
