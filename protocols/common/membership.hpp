// Which nodes are up, and which zone (datacenter) each is in: the run's
// ground truth, shared by every node of a run. Read as the nodes' view it is
// an oracle failure detector (--failure-detector oracle); gossip.hpp and
// timeout_detector.hpp give a view that learns of a crash later.
#pragma once
#include <vector>

#include "protocols/common/types.hpp"

namespace replisim {

struct Membership {
  std::vector<bool> alive;     // per node
  std::vector<int> zone;       // per node: zone index
  int zone_count = 1;

  static Membership all_up(const std::vector<int>& zones);
  int node_count() const { return static_cast<int>(alive.size()); }
};

}  // namespace replisim
