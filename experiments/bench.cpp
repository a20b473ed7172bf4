#include "experiments/bench.hpp"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "actors/bare_loop.hpp"
#include "experiments/quantities.hpp"
#include "experiments/run_config.hpp"
#include "platforms/star_platform.hpp"

namespace replisim {

namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kMaxBenchOps = 1'000'000'000;  // per measurement: two runs of this many operations

std::string capture(const std::string& command)
{
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr)
    throw std::runtime_error("cannot run " + command);
  std::string out;
  std::array<char, 4096> buffer{};
  std::size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    out.append(buffer.data(), n);
  if (pclose(pipe) != 0)
    throw std::runtime_error("bench: measurement failed: " + command);
  return out;
}

std::map<std::string, std::string> read_summary(const fs::path& file)
{
  std::ifstream in(file);
  std::string header, values;
  std::getline(in, header);
  std::getline(in, values);
  std::istringstream h(header), v(values);
  std::map<std::string, std::string> row;
  std::string name, value;
  while (std::getline(h, name, ',') && std::getline(v, value, ','))
    row[name] = value;
  return row;
}

struct Rate {
  double messages = 0;
  double wall_s = 0;
  double per_second() const { return messages / wall_s; }
};

}  // namespace

int run_bare_child(const std::vector<std::string>& engine_args, const std::string& platform, int clients,
                   int concurrency, std::uint64_t requests, double cost_flops)
{
  const BareLoopResult r = run_bare_loop(engine_args, platform, clients, concurrency, requests, cost_flops);
  fmt::print("{} {:.6f}\n", r.messages, r.wall_s);
  return 0;
}

void check_bench_options(const BenchOptions& o)
{
  if (o.nodes.empty())
    throw std::invalid_argument("--nodes-list: needs at least one node count");
  for (const int n : o.nodes)
    if (n < 1 || n > limits::kMaxNodes)
      throw std::invalid_argument(fmt::format("--nodes-list: {} is out of range: must be in [1, {}]", n, limits::kMaxNodes));
  if (o.ops < 1 || o.ops > kMaxBenchOps)
    throw std::invalid_argument(fmt::format("--ops: {} is out of range: must be in [1, {}]", o.ops, kMaxBenchOps));
  if (o.concurrency < 1 || o.concurrency > limits::kMaxConcurrency)
    throw std::invalid_argument(
        fmt::format("--concurrency: {} is out of range: must be in [1, {}]", o.concurrency, limits::kMaxConcurrency));
  if (parse_duration(o.cost, "--cost") > limits::kMaxLatency)
    throw std::invalid_argument(fmt::format("--cost: '{}' is more than a day", o.cost));
}

int run_bench(const BenchOptions& o)
{
  check_bench_options(o);
  const fs::path dir = fs::temp_directory_path() / fmt::format("replisim-bench-{}", getpid());
  fs::create_directories(dir);
  std::string engine_args;
  for (const auto& a : o.engine_args)
    engine_args += " " + a;

  const double cost_s = parse_duration(o.cost, "--cost");
  fmt::print("Simulated messages per wall second: leader-follower (rf 3, w:majority, closed loop, {} outstanding per\n"
             "client) against a bare SimGrid request/reply loop on the same star platform, in one run. With costs,\n"
             "every message costs {} at the node that takes it (a SimGrid execution), and the bare loop's\n"
             "nodes execute as much per request.\n\n",
             o.concurrency, o.cost);
  fmt::print("{:>6} {:>8} {:>7} {:>16} {:>19} {:>7}\n", "nodes", "clients", "costs", "bare msgs/s", "replisim msgs/s",
             "ratio");
  for (int nodes : o.nodes)
    for (const double cost : {0.0, cost_s}) {
      const int clients = std::max(3, nodes / 10);
      const fs::path platform = dir / fmt::format("star-{}.xml", nodes);
      std::ofstream(platform) << star_platform_xml({nodes, clients, 0.001, 125e6});

      // Both loops answer the same number of client requests.
      const std::string bare_out =
          capture(fmt::format("{} bench-bare --platform {} --clients {} --concurrency {} --requests {} --cost-flops {}{}",
                              o.self, platform.string(), clients, o.concurrency, o.ops, cost * 1e9, engine_args));
      Rate bare;
      std::istringstream(bare_out) >> bare.messages >> bare.wall_s;

      const fs::path out = dir / fmt::format("run-{}", nodes);
      const std::string service = cost > 0 ? fmt::format(" --service all=const:{}s", cost) : "";
      capture(fmt::format("{} run --platform {} --rf 3 --clients {} --concurrency {} --ops {} --write-concern majority "
                          "--out {}{}{} > /dev/null",
                          o.self, platform.string(), clients, o.concurrency, o.ops, out.string(), service, engine_args));
      const auto summary = read_summary(out / "summary.csv");
      Rate lf;
      lf.messages = std::stod(summary.at("msgs_per_write")) *
                    (std::stod(summary.at("writes_ok")) + std::stod(summary.at("writes_failed")));
      lf.wall_s = std::stod(summary.at("wall_s"));

      fmt::print("{:>6} {:>8} {:>7} {:>16.0f} {:>19.0f} {:>7.2f}\n", nodes, clients, cost > 0 ? o.cost : "none",
                 bare.per_second(), lf.per_second(), lf.per_second() / bare.per_second());
      std::fflush(stdout);
    }
  fs::remove_all(dir);
  return 0;
}

}  // namespace replisim
