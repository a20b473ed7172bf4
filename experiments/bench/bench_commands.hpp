// The `bench` subcommand and the two hidden ones it runs each measurement
// as (bench-run, bench-bare), added to replisim's command line.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "experiments/bench/bench.hpp"
#include "experiments/core/run_config.hpp"

namespace replisim {

class BenchCommands {
public:
  explicit BenchCommands(CLI::App& app);
  BenchCommands(const BenchCommands&) = delete;
  BenchCommands& operator=(const BenchCommands&) = delete;

  bool parsed() const;
  // `bench` itself (not one of its measurements).
  bool bench_parsed() const { return bench_->parsed(); }
  // Runs the parsed one and returns the exit status; throws
  // std::invalid_argument for bad input (exit status 2).
  // `check_run`: how --dry-run checks a case's `run` arguments.
  int dispatch(const std::vector<std::string>& engine_args, const sweep::ArgsCheck& check_run);

private:
  CLI::App* bench_;
  CLI::App* run_;
  CLI::App* bare_;
  BenchOptions options_;
  RunConfig run_config_;  // bench-run: the run measured
  RunConfig platform_;    // bench-bare: the star it runs on
  std::string result_;
  std::string bare_shape_;  // the model whose traffic shape the bare loop sends
  int bare_rf_ = 3;
  std::uint64_t bare_outstanding_ = 1;
  std::uint64_t bare_requests_ = 0;
  double bare_cost_flops_ = 0;
};

}  // namespace replisim
