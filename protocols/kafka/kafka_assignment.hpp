// Kafka's replica assignment (AdminUtils.assignReplicasToBrokers) as a pure
// function: which nodes hold each partition, and which of them is its
// preferred leader. replisim's `partitioned` model places its units with it, so
// the role distribution it reports is the one a Kafka cluster would have.
#pragma once
#include <string>
#include <vector>

#include "protocols/common/placement.hpp"
#include "protocols/common/types.hpp"

namespace replisim {

// Per partition, its replicas in assignment order; the first is the preferred
// leader, and failover walks the rest in this order.
//
// Node ids are 0-based indices into replisim's node list, which plays Kafka's
// broker list. `start_index` in [0, nodes) is Kafka's fixed start index: it
// sets both the first partition's leader position and the initial follower
// shift (Kafka draws both at random when no index is given; replisim draws the
// index from the run's seed instead, so this function never sees randomness).
//
// Rack-unaware when `racks` is empty or names a single rack; rack-aware
// otherwise, with racks[b] the rack (zone) of node b. Rack-aware assignment
// puts a partition's replicas on min(rf, racks) distinct racks.
//
// Throws std::invalid_argument naming the flag (--rf, --units, --start-index)
// for rf outside [1, nodes], partitions < 1 or start_index outside [0, nodes).
std::vector<std::vector<NodeId>> kafka_assignment(int nodes, int partitions, int rf, int start_index,
                                                  const std::vector<std::string>& racks = {});

// The same assignment as a Placement over `nodes` nodes.
Placement kafka_placement(int nodes, int partitions, int rf, int start_index,
                          const std::vector<std::string>& racks = {});

}  // namespace replisim
