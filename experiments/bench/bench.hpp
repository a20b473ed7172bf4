// `replisim bench`: how fast each registered model simulates, against a bare
// SimGrid loop (experiments/bench/bare_loop.hpp) sending the model's traffic
// shape for as many requests over the same generated star, and, with costs,
// executing as much work. Every measurement
// runs in a process of its own (one SimGrid engine per process); a case's
// ratio compares the replisim run with the bare run that follows it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "experiments/sweep/forked_checks.hpp"

namespace replisim {

struct BenchOptions {
  std::vector<std::string> models;  // empty: every registered model
  std::vector<int> nodes = {100, 1000, 10000};
  std::uint64_t messages = 300'000;  // per measurement up to 1,000 nodes; a third of it above
  std::uint64_t ops = 0;             // operations per measurement; 0: as many as `messages` takes
  int concurrency = 4;               // outstanding operations per client
  std::string cost = "20us";         // the runs with costs: every message costs this at the node that takes it
  int repeat = 1;                    // measurements per case; the table shows medians
  std::string csv;                   // the table as CSV, for analysis/plot_bench.py
  bool targets = false;              // also the set-up, memory and long-run targets (minutes)
  bool dry_run = false;              // check everything, measure and write nothing
  std::string self;                  // this executable, to run the measurements
  std::vector<std::string> engine_args;
};

// Throws std::invalid_argument naming the flag when an option is out of
// range, or when --csv cannot be written.
void check_bench_options(const BenchOptions& options);
int run_bench(const BenchOptions& options);

// --dry-run: check_bench_options, then the `run` arguments of every case
// (each model at each node count, without and with costs), each through
// `check_run` in a forked child. Prints one line saying what would run and
// returns 0; throws std::invalid_argument naming the first case that fails.
int check_bench(const BenchOptions& options, const sweep::ArgsCheck& check_run);

}  // namespace replisim
