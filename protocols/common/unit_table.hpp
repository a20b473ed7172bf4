// A node's per-unit state, by unit id, in one vector sorted by unit: a node
// holds a few units to thousands of them, each looked up per message. Unlike
// a hash map it costs no allocation per unit nor a bucket array, finds a unit
// by binary search over contiguous ids, and walks units in ascending order.
// Units are added before the run (appending, as nodes add them ascending);
// adding one moves the others, so references are taken after.
#pragma once
#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

#include "protocols/common/types.hpp"

namespace replisim {

template <typename State>
class UnitTable {
public:
  using value_type = std::pair<UnitId, State>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

  void reserve(std::size_t units) { entries_.reserve(units); }
  std::size_t size() const { return entries_.size(); }

  // The unit's state, added (default) if absent.
  State& operator[](UnitId unit)
  {
    auto it = lower(unit);
    if (it == entries_.end() || it->first != unit)
      it = entries_.emplace(it, unit, State{});
    return it->second;
  }
  iterator find(UnitId unit)
  {
    auto it = lower(unit);
    return it != entries_.end() && it->first == unit ? it : entries_.end();
  }
  const_iterator find(UnitId unit) const
  {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), unit,
                               [](const value_type& e, UnitId u) { return e.first < u; });
    return it != entries_.end() && it->first == unit ? it : entries_.end();
  }
  // Throws std::out_of_range when the node holds no state for the unit.
  State& at(UnitId unit)
  {
    auto it = find(unit);
    if (it == entries_.end())
      throw std::out_of_range("no state for this unit");
    return it->second;
  }
  const State& at(UnitId unit) const
  {
    auto it = find(unit);
    if (it == entries_.end())
      throw std::out_of_range("no state for this unit");
    return it->second;
  }

  iterator begin() { return entries_.begin(); }
  iterator end() { return entries_.end(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }

private:
  iterator lower(UnitId unit)
  {
    if (!entries_.empty() && entries_.back().first < unit)
      return entries_.end();  // appending, as nodes add their units ascending
    return std::lower_bound(entries_.begin(), entries_.end(), unit,
                            [](const value_type& e, UnitId u) { return e.first < u; });
  }

  std::vector<value_type> entries_;
};

}  // namespace replisim
