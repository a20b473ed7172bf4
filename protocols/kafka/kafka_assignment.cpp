// Kafka's replica assignment, AdminUtils.assignReplicasToBrokers with a fixed
// start index. The index arithmetic follows Kafka's own source: the rack-aware
// variant (KIP-36) as introduced in Kafka 0.10.0 (Scala kafka.admin.AdminUtils,
// checked against 0.10.0.1) and unchanged since, through the Java port
// org.apache.kafka.admin.AdminUtils in server-common on trunk (checked at
// apache/kafka 13f81253). startPartitionId is always 0 here: replisim creates
// all partitions at once and never adds partitions to a topic.
#include "protocols/kafka/kafka_assignment.hpp"

#include "protocols/common/setting_error.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

namespace replisim {
namespace {

void check_inputs(int nodes, int partitions, int rf, int start_index, const std::vector<std::string>& racks)
{
  if (rf < 1)
    throw SettingError(Setting::rf, "must be at least 1");
  if (rf > nodes)
    throw SettingError(Setting::rf, std::to_string(rf) + " is larger than the node count (" +
                                std::to_string(nodes) + ")");
  if (partitions < 1)
    throw SettingError(Setting::units, "must be at least 1");
  if (start_index < 0 || start_index >= nodes)
    throw SettingError(Setting::start_index, std::to_string(start_index) + " is outside [0, " +
                                std::to_string(nodes) + ")");
  if (!racks.empty() && racks.size() != static_cast<std::size_t>(nodes))
    throw std::invalid_argument("kafka assignment: " + std::to_string(racks.size()) + " racks given for " +
                                std::to_string(nodes) + " nodes");
}

// The position of a follower candidate in the broker list: past the leader by
// 1 + (shift + step) mod (n − 1), so it never lands on the leader itself and
// n − 1 consecutive steps visit every other position once (Kafka's replicaIndex).
int follower_position(int leader_position, std::int64_t shift, int step, int n)
{
  const std::int64_t offset = 1 + (shift + step) % (n - 1);
  return static_cast<int>((leader_position + offset) % n);
}

// The follower shift grows by one each time the partition id wraps around the
// broker list, so that partition p and partition p + n get different followers.
std::int64_t shift_for(int pid, int nodes, int start_index)
{
  return static_cast<std::int64_t>(start_index) + pid / nodes;
}

std::vector<std::vector<NodeId>> assign_rack_unaware(int nodes, int partitions, int rf, int start_index)
{
  std::vector<std::vector<NodeId>> assignment(static_cast<std::size_t>(partitions));
  for (int pid = 0; pid < partitions; ++pid) {
    const std::int64_t shift = shift_for(pid, nodes, start_index);
    const int first = static_cast<int>((static_cast<std::int64_t>(pid) + start_index) % nodes);
    auto& replicas = assignment[static_cast<std::size_t>(pid)];
    replicas.reserve(static_cast<std::size_t>(rf));
    replicas.push_back(first);
    for (int j = 0; j < rf - 1; ++j)
      replicas.push_back(follower_position(first, shift, j, nodes));
  }
  return assignment;
}

// Brokers arranged rack by rack in turn (Kafka's getRackAlternatedBrokerList):
// racks in name order, brokers in id order within a rack; round r takes the
// r-th broker of every rack that still has one. Names compare bytewise, which
// is Kafka's String order for ASCII rack names. `rack_of` receives each
// broker's rack as an index into the sorted rack names.
struct RackLayout {
  std::vector<NodeId> arranged;
  std::vector<int> rack_of;
  int rack_count = 0;
};

RackLayout rack_alternated(const std::vector<std::string>& racks)
{
  std::map<std::string, std::vector<NodeId>> members;  // sorted by rack name
  for (std::size_t b = 0; b < racks.size(); ++b)
    members[racks[b]].push_back(static_cast<NodeId>(b));  // ids ascending

  RackLayout layout;
  layout.rack_of.resize(racks.size());
  layout.rack_count = static_cast<int>(members.size());
  int rack = 0;
  for (const auto& [name, brokers] : members) {
    for (NodeId b : brokers)
      layout.rack_of[static_cast<std::size_t>(b)] = rack;
    ++rack;
  }
  for (std::size_t round = 0; layout.arranged.size() < racks.size(); ++round)
    for (const auto& [name, brokers] : members)
      if (round < brokers.size())
        layout.arranged.push_back(brokers[round]);
  return layout;
}

std::vector<std::vector<NodeId>> assign_rack_aware(int nodes, int partitions, int rf, int start_index,
                                                   const std::vector<std::string>& racks)
{
  const RackLayout layout = rack_alternated(racks);
  const auto rack_of = [&](NodeId b) { return layout.rack_of[static_cast<std::size_t>(b)]; };

  std::vector<std::vector<NodeId>> assignment(static_cast<std::size_t>(partitions));
  std::vector<int> racks_used;  // racks holding a replica of the current partition
  for (int pid = 0; pid < partitions; ++pid) {
    // Kafka scales the shift by the rack count, so that a shifted follower
    // still sits in the rack after the leader's in the alternated list.
    const std::int64_t shift = shift_for(pid, nodes, start_index) * layout.rack_count;
    const int first = static_cast<int>((static_cast<std::int64_t>(pid) + start_index) % nodes);
    const NodeId leader = layout.arranged[static_cast<std::size_t>(first)];
    auto& replicas = assignment[static_cast<std::size_t>(pid)];
    replicas.reserve(static_cast<std::size_t>(rf));
    replicas.push_back(leader);
    racks_used.assign(1, rack_of(leader));

    // One step counter for the whole partition: after a follower is placed,
    // the walk continues from the next position rather than starting over.
    // A candidate is skipped when its rack already holds a replica while some
    // rack holds none, or when it already holds a replica. (Kafka lets a
    // broker take a second replica once every broker has one; rf <= nodes
    // means that never happens, so the check is left out.) The walk ends: a
    // broker of an unused rack, or any unused broker once all racks are used,
    // is met within n − 1 steps.
    for (int step = 0; static_cast<int>(replicas.size()) < rf; ++step) {
      const NodeId candidate = layout.arranged[static_cast<std::size_t>(follower_position(first, shift, step, nodes))];
      const bool all_racks_used = static_cast<int>(racks_used.size()) == layout.rack_count;
      const bool rack_used = std::find(racks_used.begin(), racks_used.end(), rack_of(candidate)) != racks_used.end();
      const bool node_used = std::find(replicas.begin(), replicas.end(), candidate) != replicas.end();
      if ((rack_used && !all_racks_used) || node_used)
        continue;
      replicas.push_back(candidate);
      if (!rack_used)
        racks_used.push_back(rack_of(candidate));
    }
  }
  return assignment;
}

bool single_rack(const std::vector<std::string>& racks)
{
  return std::all_of(racks.begin(), racks.end(), [&](const std::string& r) { return r == racks.front(); });
}

}  // namespace

std::vector<std::vector<NodeId>> kafka_assignment(int nodes, int partitions, int rf, int start_index,
                                                  const std::vector<std::string>& racks)
{
  check_inputs(nodes, partitions, rf, start_index, racks);
  // One rack: Kafka would run the rack-aware walk, which then skips only
  // brokers already holding a replica and so gives the rack-unaware result
  // (brokers here are already in id order).
  if (racks.empty() || single_rack(racks))
    return assign_rack_unaware(nodes, partitions, rf, start_index);
  return assign_rack_aware(nodes, partitions, rf, start_index, racks);
}

Placement kafka_placement(int nodes, int partitions, int rf, int start_index, const std::vector<std::string>& racks)
{
  return Placement(nodes, kafka_assignment(nodes, partitions, rf, start_index, racks));
}

}  // namespace replisim
