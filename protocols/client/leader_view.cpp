#include "protocols/client/leader_view.hpp"

namespace replisim {

void LeaderView::start(UnitId unit, NodeId placed)
{
  if (!has(unit))
    units_[unit].leader = placed;
}

NodeId LeaderView::leader(UnitId unit) const
{
  const auto it = units_.find(unit);
  return it == units_.end() ? kNoNode : it->second.leader;
}

// The SDAM rule: a server that says it is primary is taken only if its
// electionId is no older than the newest seen ("stale primary" otherwise).
bool LeaderView::answer(UnitId unit, NodeId from, bool leads, Term term)
{
  Entry& e = units_[unit];
  const NodeId before = e.leader;
  if (leads && term >= e.term) {
    e.leader = from;
    e.term = term;
  } else if (!leads && e.leader == from) {
    e.leader = kNoNode;
  }
  return e.leader != before;
}

void LeaderView::acknowledged(UnitId unit, NodeId node) { units_[unit].leader = node; }

void LeaderView::redirected(UnitId unit, NodeId hint) { units_[unit].leader = hint; }

void LeaderView::suspect(UnitId unit, NodeId node)
{
  Entry& e = units_[unit];
  if (e.leader == node)
    e.leader = kNoNode;
}

Time LeaderView::last_check(UnitId unit) const
{
  const auto it = units_.find(unit);
  return it == units_.end() ? kNeverChecked : it->second.last_check;
}

void LeaderView::checked(UnitId unit, Time now) { units_[unit].last_check = now; }

std::vector<UnitId> LeaderView::units() const
{
  std::vector<UnitId> all;
  all.reserve(units_.size());
  for (const auto& [unit, e] : units_)
    all.push_back(unit);
  return all;
}

}  // namespace replisim
