// `replisim bench`: simulated messages per wall second of a leader-follower
// run against a bare SimGrid request/reply loop on the same platform. Each
// measurement runs in its own process (one SimGrid engine per process).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace replisim {

struct BenchOptions {
  std::vector<int> nodes = {100, 1000};
  std::uint64_t ops = 40000;     // leader-follower writes per run (6 messages each at rf 3)
  int concurrency = 4;           // outstanding operations per client
  std::string cost = "20us";     // the run with costs: every message costs this at the node that takes it
  std::string self;              // this executable, to run the measurements
  std::vector<std::string> engine_args;
};

// Throws std::invalid_argument naming the flag when an option is out of range.
void check_bench_options(const BenchOptions& options);
int run_bench(const BenchOptions& options);

// The child side of the bare measurement: prints "messages wall_s".
int run_bare_child(const std::vector<std::string>& engine_args, const std::string& platform, int clients,
                   int concurrency, std::uint64_t requests, double cost_flops);

}  // namespace replisim
