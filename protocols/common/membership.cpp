#include "protocols/common/membership.hpp"

#include <algorithm>

namespace replisim {

Membership Membership::all_up(const std::vector<int>& zones)
{
  Membership m;
  m.alive.assign(zones.size(), true);
  m.zone = zones;
  m.zone_count = zones.empty() ? 1 : *std::max_element(zones.begin(), zones.end()) + 1;
  return m;
}

}  // namespace replisim
