// Faults to inject during a run: hosts that crash (and may come back), links
// that go down (and up), and partitions that cut two sets of hosts or zones
// apart for an interval. Times are simulated seconds; kNever: never.
#pragma once
#include <string>
#include <vector>

#include "protocols/common/types.hpp"

namespace replisim {

struct FaultPlan {
  struct HostCrash {
    std::string host;            // or:
    NodeId node = kNoNode;       // a node by index, or
    bool most_leaders = false;   // the node leading the most units when the time comes
    Time at = 0;
    Time recover = kNever;
    std::string where;  // for errors: "faults.toml: crash 2"
  };
  struct LinkDown {
    std::string link;
    Time at = 0;
    Time up = kNever;
    std::string where;
  };
  // Messages between a host of one side and a host of the other are lost
  // while the partition lasts (those already on their way too). A side lists
  // host names and zone names.
  struct Partition {
    std::vector<std::string> side_a;
    std::vector<std::string> side_b;
    Time from = 0;
    Time until = kNever;
    std::string where;
  };
  std::vector<HostCrash> crashes;
  std::vector<LinkDown> links;
  std::vector<Partition> partitions;
  bool empty() const { return crashes.empty() && links.empty() && partitions.empty(); }
};

}  // namespace replisim
