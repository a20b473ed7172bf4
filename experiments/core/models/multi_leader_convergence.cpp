#include "experiments/core/models/multi_leader_convergence.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

#include <fmt/format.h>

namespace replisim {

namespace {

void check_identical(const std::vector<NodeId>& leaders, const std::vector<const MultiLeaderNode*>& nodes)
{
  const auto& reference = nodes.at(leaders.front())->records();
  for (NodeId l : leaders) {
    if (nodes.at(l)->records() != reference)
      throw std::runtime_error(fmt::format("multi-leader: leaders {} and {} hold different data at the end of the run",
                                           leaders.front(), l));
  }
}

}  // namespace

Convergence analyse_convergence(const LeaderGroups& groups, const std::vector<const MultiLeaderNode*>& nodes,
                                const std::map<std::pair<Key, Version>, Time>& acked_at, const std::vector<bool>& up)
{
  // A leader whose host is down took no write and received none: the
  // leaders that are up are the ones that must agree.
  std::vector<NodeId> leaders;
  for (NodeId l : groups.leaders)
    if (up.empty() || up.at(static_cast<std::size_t>(l)))
      leaders.push_back(l);
  Convergence c;
  if (leaders.empty())
    return c;
  check_identical(leaders, nodes);
  const auto& final_state = nodes.at(leaders.front())->records();

  std::set<std::pair<Version, Version>> pairs;
  // (key, leader, counter) → when its own leader took it, the latest time a
  // leader first held it, and how many did.
  struct Held {
    Time taken = 0;
    Time latest = 0;
    std::size_t count = 0;
  };
  std::map<std::tuple<Key, int, std::uint64_t>, Held> held_by;
  for (NodeId l : leaders) {
    const MultiLeaderNode& n = *nodes.at(l);
    pairs.insert(n.conflicts().begin(), n.conflicts().end());
    for (const auto& [w, at] : n.applied()) {
      Held& h = held_by[{w.key, w.leader, w.counter}];
      if (groups.leaders.at(static_cast<std::size_t>(w.leader)) == l)
        h.taken = at;
      h.latest = std::max(h.latest, at);
      ++h.count;
    }
  }
  c.conflicts = pairs.size();

  // A write is lost when the write that finally holds its key is neither it
  // nor one that causally followed it: one whose leader had incorporated it
  // (applied it, or a write that had) before writing. The final record's
  // writer_seen is that write's causal past, so it followed w exactly when
  // its component for w's leader reaches w's counter (w itself included).
  // Superseded by a later write that was itself discarded by a concurrent
  // one with a higher stamp, w is lost with it (DDIA ch. 5, "last write wins
  // ... discarding concurrent writes").
  for (NodeId l : leaders)
    for (const AcceptedWrite& w : nodes.at(l)->accepted()) {
      auto ack = acked_at.find({w.key, w.version});
      if (ack == acked_at.end())
        continue;  // never acknowledged: nothing was promised
      const KeyRecord& held = final_state.at(w.key);
      if (held.writer_seen.at(static_cast<std::size_t>(w.leader)) < w.counter)
        ++c.lost_updates;
      // From the commit at its leader, as staleness is measured (PBS): from
      // the client's acknowledgement it would come out negative whenever the
      // last leader held the write before the reply reached its client.
      const Held& h = held_by.at({w.key, w.leader, w.counter});
      if (h.count == leaders.size())
        c.lag_ms.push_back((h.latest - h.taken) * 1e3);
    }
  std::sort(c.lag_ms.begin(), c.lag_ms.end());
  return c;
}

}  // namespace replisim
