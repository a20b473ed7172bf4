// The yardstick for replisim's speed: the plainest SimGrid request/reply loop
// (an actor per host, eager mailboxes, detached puts, no protocol) over the
// same generated star, sending as many messages as the replisim run it is
// compared with and, with costs, executing as much work.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "platforms/star_platform.hpp"

namespace replisim {

struct BareLoopSpec {
  StarSpec star;                    // the platform, built as `replisim run` builds it
  std::uint64_t outstanding = 1;    // requests kept outstanding at once, spread over the clients
  std::uint64_t messages = 0;       // requests and replies in all (an odd count rounds down)
  std::uint64_t executions = 0;     // executions in all, spread evenly over the requests
  double cost_flops = 0;            // each execution's work on the node's host
};

struct BareLoopResult {
  std::uint64_t messages = 0;
  std::uint64_t executions = 0;
  double setup_s = 0;  // wall seconds from the engine's creation to the first event
  double run_s = 0;    // wall seconds of the simulation itself
  double setup_peak_mb = 0;
};

// The star's clients keep `outstanding` requests outstanding in all (each its
// share) to the nodes (round-robin) until their share of the requests, in
// proportion, is answered; a node runs the request's executions on its host
// before it answers.
BareLoopResult run_bare_loop(const std::vector<std::string>& engine_args, const BareLoopSpec& spec);

}  // namespace replisim
