#include "experiments/bench/bench_child.hpp"

#include <fstream>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "experiments/bench/bare_loop.hpp"
#include "experiments/bench/wall_phases.hpp"
#include "experiments/core/experiment.hpp"

namespace replisim {

namespace {

void write_figures(const std::string& path, const BenchFigures& figures)
{
  std::ofstream out(path);
  for (const auto& [name, value] : figures)
    fmt::print(out, "{} {:.9g}\n", name, value);
  if (!out.flush())
    throw std::runtime_error("cannot write the benchmark's result file '" + path + "'");
}

}  // namespace

int run_bench_replisim(RunConfig config, const std::string& result_file)
{
  config.out.clear();
  start_wall_phases();
  Experiment experiment(std::move(config));
  experiment.run();
  const WallPhases phases = wall_phases();
  const OpMetrics& m = experiment.metrics();
  std::uint64_t executions = 0;
  if (!experiment.config().service_model.empty())
    for (const NodeLoadSummary& load : experiment.loads())
      executions += load.handled;
  const Network& network = experiment.cluster().network();
  write_figures(result_file, {{"ops", static_cast<double>(m.writes_ok + m.writes_failed + m.reads_ok + m.reads_failed)},
                              {"messages", static_cast<double>(network.carried())},
                              {"in_flight", network.in_flight_per_transfer()},
                              {"executions", static_cast<double>(executions)},
                              {"setup_s", phases.setup_s},
                              {"setup_peak_mb", phases.setup_peak_mb},
                              {"run_s", phases.run_s}});
  return 0;
}

int run_bench_bare(RunConfig platform, const std::string& model, int rf, std::uint64_t outstanding,
                   std::uint64_t requests, double cost_flops, const std::string& result_file)
{
  platform.check();
  const BareLoopResult r =
      run_bare_loop(platform.engine_args, {platform.star(), model, rf, outstanding, requests, cost_flops});
  write_figures(result_file, {{"requests", static_cast<double>(r.requests)},
                              {"messages", static_cast<double>(r.messages)},
                              {"executions", static_cast<double>(r.executions)},
                              {"setup_s", r.setup_s},
                              {"setup_peak_mb", r.setup_peak_mb},
                              {"run_s", r.run_s}});
  return 0;
}

BenchFigures read_bench_figures(const std::string& result_file)
{
  std::ifstream in(result_file);
  if (!in)
    throw std::runtime_error("bench: a measurement wrote no result ('" + result_file + "')");
  BenchFigures figures;
  std::string name;
  double value = 0;
  while (in >> name >> value)
    figures[name] = value;
  return figures;
}

}  // namespace replisim
