// The failover flags of the leader-based models (leader-follower and
// partitioned): which rule moves a unit's leadership when its leader fails,
// and its timing. Off by default: each unit's primary then leads it for the
// whole run, as before elections existed.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "experiments/core/models/param.hpp"
#include "protocols/raft/election.hpp"

namespace replisim {

// --failover none|raft|etcd|mongodb|kafka, --heartbeat, --election-timeout,
// --leader-rebalance-interval, --leader-imbalance-pct, --kafka-controller,
// --check-quorum, --pre-vote, --catch-up-timeout.
std::vector<ParamSpec> failover_params();

// The run's failover: the preset --failover names, with --heartbeat and
// --election-timeout overriding its timing. Throws std::invalid_argument
// naming the flag when the timing is given without a failover, or is invalid.
FailoverConfig failover_config(const ModelParams& params, std::uint64_t run_seed);

// The preset --failover names: none, raft, mongodb or kafka.
const std::string& failover_preset(const ModelParams& params);

}  // namespace replisim
