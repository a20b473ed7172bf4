// replisim: simulate how distributed datastores replicate writes.
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "actors/cluster.hpp"
#include "actors/engine_args.hpp"
#include "actors/deployment_file.hpp"
#include "actors/platform_check.hpp"
#include "experiments/bench/bench_commands.hpp"
#include "experiments/cli/summary_table.hpp"
#include "experiments/core/run_flags.hpp"
#include "experiments/core/experiment.hpp"
#include "experiments/core/report.hpp"
#include "experiments/output/interrupt.hpp"
#include "experiments/sweep/commands.hpp"
#include "experiments/core/flag_value.hpp"
#include "platforms/star_platform.hpp"

using namespace replisim;

namespace {

constexpr int kBadInput = 2;

constexpr const char* kFooter =
    "Simulated time uses SimGrid's CM02 network model, so a link's latency in the XML is its one-way delay "
    "(SimGrid's default LV08 would multiply it by about 13). SimGrid's own --cfg=... and --log=... options "
    "pass through; its logs are off unless asked for.";

// One line, whatever the message holds.
std::string one_line(const std::string& message)
{
  std::string line;
  for (const char c : message)
    if (c == '\n' || c == '\r' || c == '\t') {
      if (!line.empty() && line.back() != ' ')
        line += ' ';
    } else {
      line += c;
    }
  while (!line.empty() && line.back() == ' ')
    line.pop_back();
  return line;
}

int fail(const std::string& message)
{
  std::cerr << "replisim: error: " << one_line(message) << "\n";
  return kBadInput;
}

// The run flags a deployment file's nodes set and the command line does not
// (the command line wins), as arguments to parse with the rest; `from` says,
// per flag, which actor of the file set it.
std::vector<std::string> deployment_arguments(const CLI::App& command, const std::string& path,
                                              std::map<std::string, std::string>& from)
{
  const DeploymentFile file = read_deployment_file(path);
  std::vector<std::string> args;
  for (const auto& [name, value] : file.settings) {
    const CLI::Option* option = command.get_option_no_throw("--" + name);
    if (option == nullptr || name == "deployment" || name == "out" || name == "dry-run")
      throw PlatformError(fmt::format("deployment file '{}': {}: '{}' is not a replisim run flag", path,
                                      file.set_by.at(name), name));
    if (option->count() == 0) {
      args.push_back(fmt::format("--{}={}", name, value));
      from["--" + name] = fmt::format("deployment file '{}': {}", path, file.set_by.at(name));
    }
  }
  return args;
}

// An error about a flag a deployment file set names the file and the actor.
std::string attributed(const std::string& message, const std::map<std::string, std::string>& from)
{
  const std::string flag = message.substr(0, message.find(':'));
  const auto it = from.find(flag);
  return it == from.end() ? message : it->second + ": " + message;
}

// After a failed run, SimGrid's objects may be mid-simulation: the process
// leaves without destroying them (the run's temporaries are gone already).
[[noreturn]] void leave(int status)
{
  std::cout.flush();
  std::cerr.flush();
  std::_Exit(status);
}

// The command line: every subcommand and the options they fill.
struct Commands {
  CLI::App app{"replisim: simulate how distributed datastores replicate writes, on SimGrid"};
  RunConfig config;
  CLI::App* run = nullptr;
  CLI::App* placement = nullptr;
  CLI::App* platform = nullptr;
  std::unique_ptr<sweep::SweepCommands> sweep;  // sweep, merge
  std::unique_ptr<BenchCommands> bench;         // bench and its measurements
  std::map<std::string, std::string> from_deployment;  // flag → the actor of the deployment file that set it
  bool dry_run = false;  // run, placement: check everything, simulate and write nothing

  Commands();
  // Parses the arguments (reversed, as CLI11 takes them), then a deployment
  // file's settings through the same flags. Returns an exit status, or -1 to go on.
  int parse(std::vector<std::string> args);
  int dispatch();
  // The one line --dry-run prints for `run` or `placement`.
  std::string dry_run_line(const Experiment& experiment) const;
};

// `replisim run --dry-run ARGS...` in this process (a child forked by a
// sweep's or a bench's --dry-run): returns its exit status, its error on stderr.
int check_run(const std::vector<std::string>& args);

constexpr const char* kDryRunHelp =
    "Check everything a real run would (flags, platform, deployment and fault files, --out), then say what would "
    "run; simulate and write nothing";

Commands::Commands()
{
  app.footer(kFooter);
  app.require_subcommand(1);
  app.set_version_flag("--version", fmt::format("replisim {}", replisim_version()));
  run = app.add_subcommand(
      "run", "Run one simulation; with --out, write ops.csv, roles.csv, visibility.csv and summary.csv there");
  add_run_flags(*run, config);
  run->add_flag("--dry-run", dry_run, kDryRunHelp);
  placement = app.add_subcommand(
      "placement", "Print a model's placement as CSV (unit,leader,replicas; node ids in node order) without simulating");
  add_run_flags(*placement, config);
  placement->add_flag("--dry-run", dry_run, kDryRunHelp);
  sweep = std::make_unique<sweep::SweepCommands>(app, *run);
  platform = app.add_subcommand("platform", "Print the generated star platform as SimGrid XML");
  add_platform_flags(*platform, config);

  bench = std::make_unique<BenchCommands>(app);
}

int Commands::parse(std::vector<std::string> args)
{
  try {
    const std::vector<std::string> given = args;  // parse() consumes them
    app.parse(args);
    if (config.deployment.empty() || !(run->parsed() || placement->parsed()))
      return -1;
    const std::vector<std::string> extra =
        deployment_arguments(run->parsed() ? *run : *placement, config.deployment, from_deployment);
    if (extra.empty())
      return -1;
    args = given;
    args.insert(args.begin(), extra.rbegin(), extra.rend());
    std::vector<std::string> engine_args = std::move(config.engine_args);
    config = RunConfig{};
    config.engine_args = std::move(engine_args);
    app.clear();
    app.parse(args);
    return -1;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail(attributed(e.what(), from_deployment));
  } catch (const PlatformError& e) {
    return fail(e.what());
  }
}

int Commands::dispatch()
{
  std::unique_ptr<Experiment> experiment;
  try {
    if (bench->bench_parsed() || sweep->parsed())
      probe_simgrid(config.engine_args, "", 0, 1);  // each job would fail on them
    if (bench->parsed())
      return bench->dispatch(config.engine_args, check_run);
    if (sweep->parsed()) {
      sweep::Stamp stamp;
      for (const auto& [column, value] : version_columns())
        stamp.emplace_back(column, value);
      return sweep->dispatch(config.engine_args, stamp, check_run);
    }
    if (platform->parsed()) {
      config.check();
      std::cout << star_platform_xml(config.star());
      return 0;
    }
    exit_cleanly_on_interrupt();
    experiment = std::make_unique<Experiment>(config);
    if (dry_run) {
      std::cout << dry_run_line(*experiment) << "\n";
      return 0;
    }
    if (placement->parsed()) {
      std::cout << placement_csv(experiment->datastore());
      return 0;
    }
    experiment->run();
    print_summary_table(std::cout, *experiment);
  } catch (const std::invalid_argument& e) {
    experiment.release();
    const auto* setting = dynamic_cast<const SettingError*>(&e);
    leave(fail(attributed(setting != nullptr ? flag_message(*setting) : e.what(), from_deployment)));
  } catch (const PlatformError& e) {
    experiment.release();
    leave(fail(e.what()));
  } catch (const InvariantViolation& e) {
    experiment.release();
    std::cerr << "replisim: " << one_line(e.what()) << "\n";
    leave(3);
  } catch (const std::exception& e) {
    experiment.release();
    std::cerr << "replisim: " << one_line(e.what()) << "\n";
    leave(1);
  }
  return 0;
}

std::string Commands::dry_run_line(const Experiment& e) const
{
  const RunConfig& c = e.config();
  std::string where = c.platform.empty() ? "generated star" : fmt::format("platform '{}'", c.platform);
  if (!c.deployment.empty())
    where += fmt::format(", deployment '{}'", c.deployment);
  if (placement->parsed())
    return fmt::format("replisim placement: dry run: {} on {} nodes ({}), {} units: ok", c.model, c.nodes, where,
                       e.placement().unit_count());
  std::string also;
  if (!c.faults.empty())
    also += fmt::format(", faults '{}'", c.faults);
  if (!c.out.empty())
    also += fmt::format(", into '{}'", c.out);
  return fmt::format("replisim run: dry run: {} on {} nodes ({}), {} clients, {} ops{}: ok", c.model, c.nodes, where,
                     c.clients, c.ops, also);
}

int check_run(const std::vector<std::string>& args)
{
  Commands commands;
  std::vector<std::string> reversed{"--dry-run"};  // CLI11 wants them reversed
  for (auto it = args.rbegin(); it != args.rend(); ++it) {
    if (is_engine_arg(*it))
      commands.config.engine_args.insert(commands.config.engine_args.begin(), *it);
    else
      reversed.push_back(*it);
  }
  reversed.push_back("run");
  if (const int status = commands.parse(std::move(reversed)); status >= 0)
    return status;
  return commands.dispatch();
}

}  // namespace

int main(int argc, char** argv)
{
  Commands commands;
  std::vector<std::string> args;
  for (int i = argc - 1; i >= 1; --i) {  // CLI11 wants them reversed
    if (is_engine_arg(argv[i]))
      commands.config.engine_args.insert(commands.config.engine_args.begin(), argv[i]);
    else
      args.emplace_back(argv[i]);
  }
  if (const int status = commands.parse(std::move(args)); status >= 0)
    return status;
  return commands.dispatch();
}
