// The client drivers of the leader-based models under failover: how a
// client finds each unit's leader, waits for one and retries, with each
// failover preset's driver defaults (protocols/client/leader_view.hpp) and a
// flag to override each: --leader-refresh, --min-leader-refresh,
// --leader-wait, --delivery-timeout (--retry-backoff-max is the run's).
#pragma once
#include <optional>
#include <vector>

#include "experiments/core/models/param.hpp"
#include "protocols/client/leader_view.hpp"

namespace replisim {

std::vector<ParamSpec> client_driver_params();

// The drivers of the preset --failover names, with the flags given; nullopt
// without failover (the flags are then refused). `attempt_timeout` is
// --timeout, how long a Raft client waits for a leader. Throws
// std::invalid_argument naming the flag.
std::optional<DriverDefaults> client_driver(const ModelParams& params, double attempt_timeout);

}  // namespace replisim
