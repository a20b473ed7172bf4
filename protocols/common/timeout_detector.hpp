// Failure detection by timeouts, as chain replication's master does it (van
// Renesse and Schneider, OSDI 2004, §3: the master "detects failures of
// servers", a server being assumed failed when it stops answering; the master
// itself is replicated with Paxos and never fails). Every node heartbeats the
// detector every `heartbeat` seconds, at whole multiples of it (replisim's
// choice: the paper gives no period); a node is convicted `timeout` after
// its last heartbeat, so `timeout − heartbeat` to `timeout` after it fails.
// Until then the view counts it as up: requests routed to it are lost and
// time out. A node that comes back is up in the view at once (it rejoins
// through the master).
//
// The view is one object shared by the nodes and routers of a run (the
// master's): the run's faults tell it who went down and when (observe), and
// the nodes, which set a timer for the next conviction, apply it (advance).
#pragma once
#include <map>
#include <vector>

#include "protocols/common/membership.hpp"

namespace replisim {

struct TimeoutDetectorConfig {
  Time timeout = 3.0;    // --detector-timeout
  Time heartbeat = 1.0;  // a heartbeat a second
};

class TimeoutDetector {
public:
  // `truth`: which nodes are up, as the run's faults leave them.
  TimeoutDetector(const Membership& truth, TimeoutDetectorConfig config);

  // The master's view: a node is down once convicted.
  const Membership& view() const { return view_; }
  // The run's faults changed `truth` at `now`. Idempotent: every node calls it.
  void observe(Time now);
  // Applies the convictions due by `now`; whether the view changed.
  bool advance(Time now);
  // The next conviction not yet applied (kNever: none).
  Time next_conviction() const;
  // The conviction time of a node that went down at `down`.
  Time conviction_of(Time down) const;
  // Seconds from each failure to its conviction.
  const std::vector<Time>& detections() const { return detections_; }

private:
  struct Pending {
    Time down = 0;
    Time convicted = 0;
  };
  const Membership& truth_;
  TimeoutDetectorConfig config_;
  Membership view_;
  std::map<NodeId, Pending> pending_;
  std::vector<Time> detections_;
};

}  // namespace replisim
