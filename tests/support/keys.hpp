// Keys chosen by where they live.
#pragma once
#include "protocols/common/placement.hpp"

namespace replisim::test {

// The first key of `unit` at or after `from`.
inline Key key_in(const Placement& placement, UnitId unit, Key from = 0)
{
  while (placement.unit_of(from) != unit)
    ++from;
  return from;
}

}  // namespace replisim::test
