// The yardstick for replisim's speed: the plainest SimGrid request/reply loop
// (eager mailboxes, detached puts, no protocol) over the same platform.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace replisim {

struct BareLoopResult {
  std::uint64_t messages = 0;
  double wall_s = 0;
};

// `clients` client hosts each keep `concurrency` requests outstanding to
// datastore nodes (round-robin) until `requests` requests are answered in all.
// A node executes `cost_flops` for each request before it answers (0: none).
BareLoopResult run_bare_loop(const std::vector<std::string>& engine_args, const std::string& platform_file,
                             int clients, int concurrency, std::uint64_t requests, double cost_flops = 0);

}  // namespace replisim
