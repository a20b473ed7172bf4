// The stable key → unit hash. It must never change: published placements and
// CSVs from older runs are compared with new ones.
#pragma once
#include "protocols/common/types.hpp"

namespace replisim {

// splitmix64's finaliser: cheap, and spreads consecutive keys (YCSB's hot keys
// are 0, 1, 2, ...) over all units.
inline std::uint64_t stable_hash(Key key)
{
  std::uint64_t z = key + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace replisim
