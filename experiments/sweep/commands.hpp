// The `sweep` and `merge` subcommands, added to replisim's command line.
#pragma once
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "experiments/sweep/merge.hpp"
#include "experiments/sweep/runner.hpp"

namespace replisim::sweep {

// The long names of a subcommand's options, without dashes: the keys a
// spec may use, read from `replisim run` itself so new run flags just work.
std::vector<std::string> flag_names(const CLI::App& command);

class SweepCommands {
public:
  // Adds the two subcommands to `app`; `run` is the subcommand whose flags
  // a spec's [fixed] and [axes] may set.
  SweepCommands(CLI::App& app, const CLI::App& run);
  SweepCommands(const SweepCommands&) = delete;
  SweepCommands& operator=(const SweepCommands&) = delete;

  bool parsed() const;
  // Runs the parsed one and returns the exit status; throws
  // std::invalid_argument for bad input (exit status 2). `stamp`: the columns
  // every row ends with; `check_run`: how --dry-run checks a job's `run`
  // arguments (in a forked child).
  int dispatch(const std::vector<std::string>& engine_args, const Stamp& stamp, const ArgsCheck& check_run);

private:
  CLI::App* sweep_;
  CLI::App* merge_;
  const CLI::App& run_;
  SweepOptions sweep_options_;
  MergeOptions merge_options_;
};

}  // namespace replisim::sweep
