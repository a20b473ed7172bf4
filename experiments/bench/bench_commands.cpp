#include "experiments/bench/bench_commands.hpp"

#include <filesystem>

#include "experiments/bench/bench_child.hpp"
#include "experiments/core/run_flags.hpp"
#include "experiments/output/interrupt.hpp"

namespace replisim {

BenchCommands::BenchCommands(CLI::App& app)
{
  bench_ = app.add_subcommand("bench", "Measure every model's simulated messages per wall second against a bare "
                                       "SimGrid loop on the same platform, with set-up time and peak memory");
  bench_->add_option("--models", options_.models, "Models to measure (comma-separated; default: every model)")
      ->delimiter(',');
  bench_->add_option("--nodes-list", options_.nodes, "Node counts to measure (default 100,1000,10000)")->delimiter(',');
  bench_->add_option("--messages", options_.messages,
                     "Messages per measurement up to 1,000 nodes, a third of it above (default 300000)")
      ->check(unsigned_number());
  bench_->add_option("--ops", options_.ops, "Operations per measurement, whatever the messages (default: from --messages)")
      ->check(unsigned_number());
  bench_->add_option("--concurrency", options_.concurrency, "Outstanding operations per client (default 4)");
  bench_->add_option("--cost", options_.cost, "Processing cost per message in the runs with costs (default 20us)");
  bench_->add_option("--repeat", options_.repeat, "Measurements per case; the table shows medians (default 1)");
  bench_->add_option("--csv", options_.csv, "Also write the table as CSV to this file (for analysis/plot_bench.py)");
  bench_->add_flag("--targets", options_.targets,
                   "Also measure the set-up, memory and long-run targets (several minutes more)");
  bench_->add_flag("--dry-run", options_.dry_run,
                   "Check the options, --csv and every case's run flags, then say what would run; measure and "
                   "write nothing");

  run_ = app.add_subcommand("bench-run", "")->group("");
  add_run_flags(*run_, run_config_);
  run_->add_option("--result", result_)->required();

  bare_ = app.add_subcommand("bench-bare", "")->group("");
  add_platform_flags(*bare_, platform_);
  bare_->add_option("--shape", bare_shape_)->required();
  bare_->add_option("--rf", bare_rf_);
  bare_->add_option("--outstanding", bare_outstanding_);
  bare_->add_option("--requests", bare_requests_);
  bare_->add_option("--cost-flops", bare_cost_flops_);
  bare_->add_option("--result", result_)->required();
}

bool BenchCommands::parsed() const { return bench_->parsed() || run_->parsed() || bare_->parsed(); }

int BenchCommands::dispatch(const std::vector<std::string>& engine_args, const sweep::ArgsCheck& check_run)
{
  if (run_->parsed()) {
    run_config_.engine_args = engine_args;
    return run_bench_replisim(run_config_, result_);
  }
  if (bare_->parsed()) {
    platform_.engine_args = engine_args;
    return run_bench_bare(platform_, bare_shape_, bare_rf_, bare_outstanding_, bare_requests_, bare_cost_flops_, result_);
  }
  options_.engine_args = engine_args;
  if (options_.dry_run)
    return check_bench(options_, check_run);
  exit_cleanly_on_interrupt();
  options_.self = std::filesystem::read_symlink("/proc/self/exe").string();
  return run_bench(options_);
}

}  // namespace replisim
