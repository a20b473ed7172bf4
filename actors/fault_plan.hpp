// Faults to inject during a run: hosts that crash (and may come back), links
// that go down (and up), partitions that cut two sets of hosts or zones
// apart for an interval, and nodes that pause (a long garbage collection, a
// frozen VM) and resume with everything queued meanwhile. Times are simulated seconds; kNever: never.
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
  // The node handles no message and no timer from `at` to `resume` and
  // loses nothing: what arrived meanwhile is handled after, in order, and
  // each timer that fell due fires once (NodeServer::pause).
  struct NodePause {
    std::string host;            // or:
    NodeId node = kNoNode;       // a node by index, or
    bool most_leaders = false;   // the node leading the most units when the time comes
    Time at = 0;
    Time resume = kNever;
    std::string where;
  };
  std::vector<HostCrash> crashes;
  std::vector<LinkDown> links;
  std::vector<Partition> partitions;
  std::vector<NodePause> pauses;
  bool empty() const { return crashes.empty() && links.empty() && partitions.empty() && pauses.empty(); }
};

}  // namespace replisim
