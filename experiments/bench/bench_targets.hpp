// The targets of `replisim bench --targets` beyond the ratios to the bare
// loop, each measured on runs as a user would start them (3 clients, the
// run's defaults otherwise):
//  - set-up (engine, platform, deployment until the first event) of a
//    10,000-node partitioned run of 100,000 units: under 1 s and 200 MB;
//  - peak memory of a 10,000,000-operation leaderless run on 1,000 nodes
//    (rf 3, QUORUM, no ops.csv) within 1.2 times a 100,000-operation one;
//  - that leaderless run with 1,000,000 writes: under 30 s of wall time.
#pragma once
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "experiments/bench/bench_measure.hpp"

namespace replisim {

// Runs a measurement: `replisim ARGS...` in a child process.
using BenchChild = std::function<Measured(std::vector<std::string>)>;
// Shows what is being measured on the progress line; "" clears it.
using BenchProgress = std::function<void(const std::string&)>;

// Measures each target `repeat` times (medians) and prints whether it is met.
void run_bench_targets(int repeat, const BenchChild& child, const BenchProgress& progress, std::ostream& out);

}  // namespace replisim
