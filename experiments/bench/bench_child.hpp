// The two sides of one `replisim bench` measurement, each run by the bench in
// a process of its own (one SimGrid engine per process): a replisim run, and
// the bare SimGrid loop it is compared with. Each writes what it measured to
// a result file, one "name value" line per figure.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "experiments/core/run_config.hpp"

namespace replisim {

// Figures of one measurement, by name.
using BenchFigures = std::map<std::string, double>;

// Runs `config` (no output files) and writes: ops, messages (SimGrid
// transfers), in_flight (transfers in flight when one started, averaged over the transfers),
// executions (messages nodes handled at a cost), setup_s (from the engine's
// creation to the first event), setup_peak_mb (memory then) and run_s (the
// simulation).
int run_bench_replisim(RunConfig config, const std::string& result_file);

// Runs the bare loop on the star `platform` describes (as `replisim run`
// would build it), sending `requests` along `model`'s traffic shape with
// `outstanding` of them at once over its clients, and writes: requests,
// messages, executions, setup_s, setup_peak_mb, run_s.
int run_bench_bare(RunConfig platform, const std::string& model, int rf, std::uint64_t outstanding,
                   std::uint64_t requests, double cost_flops, const std::string& result_file);

// Reads a result file back; throws std::runtime_error when it is missing.
BenchFigures read_bench_figures(const std::string& result_file);

}  // namespace replisim
