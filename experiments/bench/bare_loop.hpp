// The yardstick for replisim's speed: the plainest SimGrid loop (an actor per
// host, eager mailboxes, detached puts, no protocol) over the same generated
// star, sending each request along the model's traffic shape
// (traffic_shape.hpp: the same destinations, fan-out and acknowledgements)
// with as many requests outstanding as the replisim run it is compared with
// and, with costs, executing on every node that takes a transfer, as
// replisim's costed runs do.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "platforms/star_platform.hpp"

namespace replisim {

struct BareLoopSpec {
  StarSpec star;                   // the platform, built as `replisim run` builds it
  std::string model;               // whose traffic shape to send
  int rf = 3;
  std::uint64_t outstanding = 1;   // requests kept outstanding at once, spread over the clients
  std::uint64_t requests = 0;      // requests in all
  double cost_flops = 0;           // > 0: each transfer a node takes executes this much work on its host
};

struct BareLoopResult {
  std::uint64_t requests = 0;    // answered
  std::uint64_t messages = 0;    // transfers started, replies included
  std::uint64_t executions = 0;
  double setup_s = 0;  // wall seconds from the engine's creation to the first event
  double run_s = 0;    // wall seconds of the simulation itself
  double setup_peak_mb = 0;
};

// The star's clients keep `outstanding` requests outstanding in all (each its
// share) until their share of the requests, in proportion, is answered.
BareLoopResult run_bare_loop(const std::vector<std::string>& engine_args, const BareLoopSpec& spec);

}  // namespace replisim
