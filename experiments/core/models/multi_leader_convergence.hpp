// What multi-leader replication cost, read off the leaders' final state: the
// conflicts they resolved, the acknowledged writes that were lost, and how
// long each write took to reach every leader.
#pragma once
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "protocols/multi_leader/multi_leader.hpp"

namespace replisim {

struct Convergence {
  std::uint64_t conflicts = 0;     // distinct pairs of concurrent writes to one key
  std::uint64_t lost_updates = 0;  // acknowledged, and neither the final write of its key nor in that write's causal past
  std::vector<double> lag_ms;      // per acknowledged write: taken by its leader → held by every leader (sorted)
};

// `acked_at`: (key, stamp) of every acknowledged write → when its client got
// the acknowledgement. Throws std::runtime_error when the leaders' final states
// differ (replication failed to converge).
// `nodes[n]` is node n's machine; `up[n]` whether node n's host is up (empty:
// all are): leaders that are down are left out.
Convergence analyse_convergence(const LeaderGroups& groups, const std::vector<const MultiLeaderNode*>& nodes,
                                const std::map<std::pair<Key, Version>, Time>& acked_at,
                                const std::vector<bool>& up = {});

}  // namespace replisim
