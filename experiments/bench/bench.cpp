#include "experiments/bench/bench.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

#include "experiments/bench/bench_measure.hpp"
#include "experiments/bench/bench_report.hpp"
#include "experiments/bench/bench_targets.hpp"
#include "experiments/core/models/registry.hpp"
#include "experiments/output/output_file.hpp"
#include "experiments/output/path_checks.hpp"
#include "experiments/core/flag_value.hpp"
#include "protocols/common/quantities.hpp"
#include "experiments/core/run_config.hpp"

namespace replisim {

namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kMaxBenchOps = 1'000'000'000;
constexpr std::uint64_t kMaxBenchMessages = 10'000'000'000;
constexpr int kMaxRepeat = 100;
// One write counts a model's messages per operation: the bench's writes send
// the same number each (a fan-out to rf replicas, a chain, a multi-leader
// write to every node). Ten multi-leader writes at 10,000 nodes were 200,000
// transfers at once, a pilot longer than the measurement it sized.
constexpr std::uint64_t kPilotOps = 1;
constexpr const char* kLatency = "1ms";  // each host's link to the star's centre

// What every case shares, and the progress line on a terminal.
struct Bench {
  const BenchOptions& options;
  fs::path dir;
  bool terminal = isatty(STDERR_FILENO) == 1;
  std::size_t case_count = 0;
  std::size_t case_index = 0;

  void progress(const std::string& what) const
  {
    if (terminal)
      fmt::print(std::cerr, "\rbench: case {}/{}: {}\x1b[K", case_index, case_count, what);
  }
  void clear_progress() const
  {
    if (terminal)
      std::cerr << "\r\x1b[K" << std::flush;
  }
  Measured child(std::vector<std::string> args) const
  {
    args.insert(args.end(), options.engine_args.begin(), options.engine_args.end());
    return measure(options.self, std::move(args), dir);
  }
};

constexpr int kRf = 3;  // every case runs rf 3, replisim's default
constexpr int kMinBenchNodes = kRf;

int clients_for(int nodes) { return std::max(3, nodes / 10); }

// The messages a case sends: the budget, a third of it above 1,000 nodes.
std::uint64_t message_budget(const BenchOptions& o, int nodes) { return nodes > 1000 ? o.messages / 3 : o.messages; }

std::vector<std::string> run_args(const std::string& model, int nodes, int concurrency, std::uint64_t ops,
                                  const std::string& cost)
{
  std::vector<std::string> args = {"bench-run", "--model", model, "--nodes", fmt::format("{}", nodes), "--clients",
                                   fmt::format("{}", clients_for(nodes)), "--concurrency", fmt::format("{}", concurrency),
                                   "--latency", kLatency, "--keys", fmt::format("{}", std::max(1000, 10 * nodes)),
                                   "--ops", fmt::format("{}", ops), "--seed", "1"};
  if (!cost.empty())
    args.insert(args.end(), {"--service", "all=const:" + cost});
  return args;
}

BenchSample sample(const Bench& b, const std::string& model, int nodes, std::uint64_t ops, const std::string& cost)
{
  const BenchOptions& o = b.options;
  b.progress(fmt::format("{}, {} nodes, {}: replisim", model, grouped(static_cast<std::uint64_t>(nodes)),
                         cost.empty() ? "no costs" : cost + " costs"));
  const Measured run = b.child(run_args(model, nodes, o.concurrency, ops, cost));
  const auto& r = run.figures;
  b.progress(fmt::format("{}, {} nodes, {}: bare loop", model, grouped(static_cast<std::uint64_t>(nodes)),
                         cost.empty() ? "no costs" : cost + " costs"));
  const double cost_flops = cost.empty() ? 0 : parse_duration(cost, "--cost") * 1e9;  // on the star's 1 Gflop/s hosts
  const Measured bare = b.child({"bench-bare", "--shape", model, "--rf", fmt::format("{}", kRf), "--nodes",
                                 fmt::format("{}", nodes), "--clients", fmt::format("{}", clients_for(nodes)),
                                 "--latency", kLatency, "--outstanding",
                                 fmt::format("{}", clients_for(nodes) * o.concurrency), "--requests",
                                 fmt::format("{:.0f}", r.at("ops")), "--cost-flops", fmt::format("{}", cost_flops)});
  BenchSample s;
  s.ops = r.at("ops");
  s.messages = r.at("messages");
  s.in_flight = r.at("in_flight");
  s.executions = r.at("executions");
  s.run_s = r.at("run_s");
  s.setup_s = r.at("setup_s");
  s.peak_mb = run.peak_mb;
  s.bare_messages = bare.figures.at("messages");
  s.bare_executions = bare.figures.at("executions");
  s.bare_run_s = bare.figures.at("run_s");
  s.bare_setup_s = bare.figures.at("setup_s");
  s.bare_peak_mb = bare.peak_mb;
  return s;
}

// Operations for a case: --ops, or as many as the message budget takes at
// the model's messages per operation (counted on a short run).
std::uint64_t ops_for(const Bench& b, const std::string& model, int nodes)
{
  if (b.options.ops > 0)
    return b.options.ops;
  b.progress(fmt::format("{}, {} nodes: counting messages per operation", model, grouped(static_cast<std::uint64_t>(nodes))));
  const Measured pilot = b.child(run_args(model, nodes, b.options.concurrency, kPilotOps, ""));
  const double per_op = pilot.figures.at("messages") / std::max(1.0, pilot.figures.at("ops"));
  return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(static_cast<double>(message_budget(b.options, nodes)) / per_op));
}

std::string machine()
{
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, cpu = "unknown CPU";
  while (std::getline(cpuinfo, line))
    if (line.starts_with("model name")) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  return fmt::format("{}, {} cores online, load average {:.2f} at the start", cpu, sysconf(_SC_NPROCESSORS_ONLN), load[0]);
}

}  // namespace

void check_bench_options(const BenchOptions& o)
{
  if (o.nodes.empty())
    throw std::invalid_argument("--nodes-list: needs at least one node count");
  for (const int n : o.nodes)
    if (n < kMinBenchNodes || n > limits::kMaxNodes)
      throw std::invalid_argument(fmt::format("--nodes-list: {} is out of range: must be in [{}, {}] (every case "
                                              "runs rf 3)",
                                              n, kMinBenchNodes, limits::kMaxNodes));
  for (const std::string& m : o.models) {
    const auto names = models().names();
    if (std::find(names.begin(), names.end(), m) == names.end())
      throw std::invalid_argument(fmt::format("--models: unknown model '{}' (available: {})", m, fmt::join(names, ", ")));
  }
  if (o.ops > kMaxBenchOps)
    throw std::invalid_argument(fmt::format("--ops: {} is out of range: must be in [1, {}]", o.ops, kMaxBenchOps));
  if (o.messages < 2 || o.messages > kMaxBenchMessages)
    throw std::invalid_argument(
        fmt::format("--messages: {} is out of range: must be in [2, {}]", o.messages, kMaxBenchMessages));
  if (o.concurrency < 1 || o.concurrency > limits::kMaxConcurrency)
    throw std::invalid_argument(
        fmt::format("--concurrency: {} is out of range: must be in [1, {}]", o.concurrency, limits::kMaxConcurrency));
  if (o.repeat < 1 || o.repeat > kMaxRepeat)
    throw std::invalid_argument(fmt::format("--repeat: {} is out of range: must be in [1, {}]", o.repeat, kMaxRepeat));
  const double cost = parse_duration(o.cost, "--cost");
  if (cost <= 0 || cost > limits::kMaxLatency)
    throw std::invalid_argument(fmt::format("--cost: '{}' must be more than 0 and at most a day", o.cost));
  if (!o.csv.empty() && fs::is_directory(o.csv))
    throw std::invalid_argument(fmt::format("--csv: '{}' is a directory", o.csv));
  if (!o.csv.empty()) {  // the table is written at the end: find out now whether it can be
    const fs::path path(o.csv);
    const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    std::error_code error;
    if (path.filename().empty())
      throw std::invalid_argument(fmt::format("--csv: '{}' names no file", o.csv));
    if (fs::status(dir, error).type() != fs::file_type::directory)
      throw std::invalid_argument(fmt::format("--csv: cannot write '{}': '{}' is not a directory", o.csv, dir.string()));
    if (const std::string why = cannot_write_in(dir); !why.empty())
      throw std::invalid_argument(fmt::format("--csv: cannot write '{}': {}", o.csv, why));
  }
}

int check_bench(const BenchOptions& o, const sweep::ArgsCheck& check_run)
{
  check_bench_options(o);
  const std::vector<std::string> chosen = o.models.empty() ? models().names() : o.models;
  struct Case {
    std::string model;
    int nodes;
    std::string cost;
  };
  std::vector<Case> cases;
  for (const std::string& model : chosen)
    for (const int nodes : o.nodes)
      for (const std::string& cost : {std::string(), o.cost})
        cases.push_back({model, nodes, cost});
  const auto args_of = [&](std::size_t i) {
    const Case& c = cases[i];
    std::vector<std::string> args = run_args(c.model, c.nodes, o.concurrency, o.ops > 0 ? o.ops : kPilotOps, c.cost);
    args.erase(args.begin());  // "bench-run": checked as `run`
    args.insert(args.end(), o.engine_args.begin(), o.engine_args.end());
    return args;
  };
  // Two at a time: a case on 10,000 nodes builds a big platform.
  const std::vector<sweep::CheckFailure> failures = sweep::check_forked(cases.size(), args_of, check_run, 2);
  if (!failures.empty()) {
    const Case& c = cases[failures.front().index];
    throw std::invalid_argument(fmt::format("bench: {} on {} nodes{} cannot run: {}{}", c.model, c.nodes,
                                            c.cost.empty() ? "" : " with " + c.cost + " costs", failures.front().error,
                                            failures.size() > 1
                                                ? fmt::format(" (and {} more of the {} cases)", failures.size() - 1,
                                                              cases.size())
                                                : ""));
  }
  fmt::print("replisim bench: dry run: {} model{} × {} node count{} ({}) × without and with {} costs = {} cases, "
             "{} run{} each{}{}: ok\n",
             chosen.size(), chosen.size() == 1 ? "" : "s", o.nodes.size(), o.nodes.size() == 1 ? "" : "s",
             fmt::join(o.nodes, ", "), o.cost, cases.size(), o.repeat, o.repeat == 1 ? "" : "s",
             o.targets ? ", and the targets" : "", o.csv.empty() ? "" : ", table to " + o.csv);
  return 0;
}

int run_bench(const BenchOptions& o)
{
  check_bench_options(o);
  const std::vector<std::string> chosen = o.models.empty() ? models().names() : o.models;
  // The table's file first: one that cannot be opened fails the bench now,
  // before any measurement, with nothing left behind.
  std::unique_ptr<OutputFile> csv;
  if (!o.csv.empty()) {
    const fs::path path(o.csv);
    try {
      csv = std::make_unique<OutputFile>(path.parent_path().empty() ? fs::path(".") : path.parent_path(),
                                         path.filename().string());
    } catch (const std::exception& e) {
      throw std::invalid_argument(fmt::format("--csv: cannot write '{}': {}", o.csv, e.what()));
    }
  }
  Bench b{o, fs::temp_directory_path() / fmt::format("replisim-bench-{}", getpid())};
  fs::create_directories(b.dir);
  const int leftover = leftovers::add(b.dir.string(), true);

  fmt::print("Each model (N/10 clients, {1} operations outstanding per client, on a generated star of {0} links)\n"
             "against a bare SimGrid loop (an actor per host, no protocol) on the same star sending the model's\n"
             "traffic shape (the same destinations, fan-out and acknowledgements per request) for as many requests,\n"
             "as many outstanding; each run in its own process. With costs every message costs {2} at the node\n"
             "that takes it, in the bare loop too. Both get the same SimGrid settings{6}.\n"
             "Rates are per wall second of simulation; medians of {3} run{4}. Machine: {5}.\n\n",
             kLatency, o.concurrency, o.cost, o.repeat, o.repeat == 1 ? "" : "s", machine(),
             o.engine_args.empty() ? " (SimGrid's defaults)" : fmt::format(" ({})", fmt::join(o.engine_args, " ")));
  print_bench_header(std::cout);
  std::vector<BenchCase> cases;
  b.case_count = chosen.size() * o.nodes.size() * 2;
  try {
    for (const std::string& model : chosen)
      for (const int nodes : o.nodes) {
        std::uint64_t ops = 0;
        for (const std::string& cost : {std::string(), o.cost}) {
          ++b.case_index;
          if (ops == 0)
            ops = ops_for(b, model, nodes);
          BenchCase c{model, nodes, clients_for(nodes), cost.empty() ? "none" : cost, {}};
          for (int r = 0; r < o.repeat; ++r)
            c.samples.push_back(sample(b, model, nodes, ops, cost));
          b.clear_progress();
          print_bench_case(std::cout, c);
          cases.push_back(std::move(c));
        }
      }
    print_bench_verdict(std::cout, cases);
    if (o.targets)
      run_bench_targets(
          o.repeat, [&b](std::vector<std::string> args) { return b.child(std::move(args)); },
          [&b](const std::string& what) { what.empty() ? b.clear_progress() : b.progress(what); }, std::cout);
  } catch (...) {
    b.clear_progress();
    fs::remove_all(b.dir);
    leftovers::forget(leftover);
    throw;
  }
  if (csv) {
    csv->stream() << bench_csv(cases, o.engine_args);
    csv->commit();
    fmt::print("\nWrote {}\n", o.csv);
  }
  fs::remove_all(b.dir);
  leftovers::forget(leftover);
  return 0;
}

}  // namespace replisim
