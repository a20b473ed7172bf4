// Cassandra's consistency levels: how many replica acks a coordinator waits
// for, in which zones, and whether enough replicas are alive to try at all.
// Pure arithmetic, tested on its own. Zones play Cassandra's datacenters.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace replisim {

enum class Consistency : std::uint8_t { one, two, three, quorum, local_quorum, each_quorum, all };

// "ONE", "TWO", "THREE", "QUORUM", "LOCAL_QUORUM", "EACH_QUORUM", "ALL", in
// any case (Cassandra's fromString upper-cases). Throws std::invalid_argument
// naming the value; the caller adds the flag (--consistency or
// --read-consistency).
Consistency parse_consistency(const std::string& text);
std::string to_string(Consistency level);  // upper case, as Cassandra prints it

// The acks a level needs for one unit whose replicas per zone are
// replicas_per_zone[z], coordinated from zone `local_zone` (Cassandra's
// ConsistencyLevel.blockFor and ReplicaPlans.assureSufficientLiveReplicas):
//   ONE 1, TWO 2, THREE 3, QUORUM ⌊ΣRF/2⌋+1, ALL ΣRF — replicas of any zone;
//   LOCAL_QUORUM ⌊RF_local/2⌋+1 — replicas of the coordinator's zone only;
//   EACH_QUORUM ⌊RF_z/2⌋+1 in every zone with RF_z > 0.
//
// A level that asks for more than the replicas there are is not an error:
// Cassandra answers such a request with Unavailable, so achievable() is false
// however many replicas are alive (THREE with 2 replicas; LOCAL_QUORUM from a
// zone with no replica, where Cassandra's blockFor is ⌊0/2⌋+1 = 1 with no
// local replica to give it).
//
// Under SimpleStrategy Cassandra computes LOCAL_QUORUM and EACH_QUORUM from
// the total RF (ConsistencyLevel.localQuorumFor); a caller wanting that
// passes all replicas as one zone with local_zone 0.
//
// Throws std::invalid_argument for no zones, a negative replica count, no
// replica at all, or local_zone outside [0, zones).
class QuorumRule {
public:
  QuorumRule(Consistency level, std::vector<int> replicas_per_zone, int local_zone);

  Consistency level() const { return level_; }
  // Total acks needed (Cassandra's blockFor).
  int block_for() const;
  // Whether acks from these replicas (counted per zone) complete the request.
  bool satisfied(const std::vector<int>& acks_per_zone) const;
  // Whether one more answer from zone `zone` would bring the request closer
  // to satisfied, given the answers (or replicas chosen) so far: how a read
  // picks the replicas it contacts (Cassandra's ReplicaPlans.forRead takes
  // the first blockFor candidates of the datacenters the level counts).
  bool helps(const std::vector<int>& chosen_per_zone, int zone) const;
  // Whether replicas of `zone` count toward the level at all.
  bool counts(int zone) const;
  // Whether this many live replicas per zone could satisfy the level; false →
  // the coordinator fails the request at once as Unavailable.
  bool achievable(const std::vector<int>& live_per_zone) const;

  // Whether a set of replicas answering this rule and one answering `other`
  // (each from the unit's replicas) can be disjoint: each zone has room for
  // both per-zone minimums, and the replicas left over cover what the levels
  // counting any zone still need.
  bool can_miss(const QuorumRule& other) const;

private:
  bool enough(const std::vector<int>& per_zone) const;

  Consistency level_;
  std::vector<int> replicas_per_zone_;
  // Levels that count replicas anywhere need `anywhere_` of them in total;
  // the others need needed_in_zone_[z] in each zone z.
  int anywhere_ = 0;
  std::vector<int> needed_in_zone_;
};

// Whether every read at `read` meets every write acknowledged at `write`, for
// a unit with these replicas per zone, over every pair of zones the writer and
// the reader coordinate from (pairs that cannot run are skipped: they fail as
// Unavailable, so nothing is read stale):
//   always — R + W > replicas wherever they coordinate from;
//   local  — only when writer and reader coordinate from the same zone
//            (LOCAL_QUORUM: a read from another datacenter may miss);
//   never  — some read may miss every replica holding the write;
//   unknown — no pair can run at all.
enum class QuorumOverlap : std::uint8_t { always, local, never, unknown };
QuorumOverlap quorum_overlap(Consistency write, Consistency read, const std::vector<int>& replicas_per_zone);
std::string to_string(QuorumOverlap overlap);

}  // namespace replisim
