#include "experiments/sweep/commands.hpp"

#include <cstdlib>

namespace replisim::sweep {

std::vector<std::string> flag_names(const CLI::App& command)
{
  std::vector<std::string> names;
  for (const CLI::Option* option : command.get_options())
    for (const std::string& name : option->get_lnames())
      names.push_back(name);
  return names;
}

SweepCommands::SweepCommands(CLI::App& app, const CLI::App& run) : run_(run)
{
  sweep_ = app.add_subcommand("sweep", "Run every point of a TOML sweep spec, once per seed, in parallel; "
                                       "write one summary.csv (rerun the same command to resume)");
  sweep_->add_option("SPEC", sweep_options_.spec, "Sweep spec (TOML): [sweep] combine/seeds, [fixed], [axes]")
      ->required();
  sweep_->add_option("--out", sweep_options_.out, "Directory for summary.csv, rows/, spec.toml")->required();
  sweep_->add_option("--jobs,-j", sweep_options_.jobs, "Runs at once (default: the cores available)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            char* end = nullptr;
            const long n = std::strtol(text.c_str(), &end, 10);
            return text.empty() || *end != '\0' || n < 1 ? "'" + text + "' is not a whole number of at least 1" : "";
          },
          "INT"));
  sweep_->add_flag("--keep-ops", sweep_options_.keep_ops, "Keep each job's ops.csv and roles.csv under DIR/points/");
  sweep_->add_flag("--retry-failed", sweep_options_.retry_failed, "Run again the jobs recorded as failed");
  sweep_->add_option("--shard", sweep_options_.shard, "Run only the K-th of N slices of the jobs (K/N, 1 <= K <= N)");
  sweep_->add_flag("--dry-run", sweep_options_.dry_run,
                   "Check the spec, --out and the run flags of every point, as the sweep would, then say what would "
                   "run; run and write nothing");

  merge_ = app.add_subcommand("merge", "Merge the rows of sweep directories (e.g. shards) into one summary.csv");
  merge_->add_option("DIR", merge_options_.dirs, "Sweep output directories of one spec")->required();
  merge_->add_option("--out", merge_options_.out, "The merged summary.csv")->required();
}

bool SweepCommands::parsed() const { return sweep_->parsed() || merge_->parsed(); }

int SweepCommands::dispatch(const std::vector<std::string>& engine_args, const Stamp& stamp, const ArgsCheck& check_run)
{
  if (merge_->parsed())
    return run_merge(merge_options_, flag_names(run_));
  sweep_options_.engine_args = engine_args;
  sweep_options_.stamp = stamp;
  sweep_options_.check_run = check_run;
  return run_sweep(sweep_options_, flag_names(run_));
}

}  // namespace replisim::sweep
