#include "experiments/bench/bench_targets.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace replisim {

namespace {

constexpr double kSetupLimitS = 1.0;
constexpr double kSetupLimitMb = 200;
constexpr double kMemoryGrowthLimit = 1.2;
constexpr double kLongRunLimitS = 30;

double median(std::vector<double> v)
{
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// `repeat` measurements of `args`: the medians of the figures `get` takes from each.
template <typename Get>
std::vector<double> medians(int repeat, const BenchChild& child, const std::vector<std::string>& args, Get get)
{
  std::vector<std::vector<double>> columns;
  for (int r = 0; r < repeat; ++r) {
    const std::vector<double> values = get(child(args));
    columns.resize(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
      columns[i].push_back(values[i]);
  }
  std::vector<double> result;
  for (auto& c : columns)
    result.push_back(median(c));
  return result;
}

const char* verdict(bool met) { return met ? "met" : "NOT met"; }

std::vector<std::string> leaderless(const std::string& ops)
{
  return {"bench-run", "--model", "leaderless", "--nodes", "1000", "--rf", "3", "--consistency", "QUORUM", "--ops", ops};
}

}  // namespace

void run_bench_targets(int repeat, const BenchChild& child, const BenchProgress& progress, std::ostream& out)
{
  fmt::print(out, "\nTargets on runs as a user starts them (3 clients, defaults otherwise), medians of {} run{}:\n", repeat,
             repeat == 1 ? "" : "s");

  progress("set-up of a 10,000-node, 100,000-unit partitioned run");
  const auto setup = medians(repeat, child,
                             {"bench-run", "--model", "partitioned", "--nodes", "10000", "--units", "100000", "--ops", "100"},
                             [](const Measured& m) {
                               return std::vector<double>{m.figures.at("setup_s"), m.figures.at("setup_peak_mb"), m.peak_mb};
                             });
  progress("");
  fmt::print(out, "  set-up, partitioned, 10,000 nodes, 100,000 units: {:.2f} s, {:.0f} MB at the first event (under {:.0f} s "
             "and {:.0f} MB): {}; the whole run of 100 operations peaks at {:.0f} MB\n",
             setup[0], setup[1], kSetupLimitS, kSetupLimitMb, verdict(setup[0] < kSetupLimitS && setup[1] < kSetupLimitMb),
             setup[2]);

  progress("leaderless, 1,000 nodes, 100,000 operations");
  const double small = medians(repeat, child, leaderless("100000"), [](const Measured& m) {
    return std::vector<double>{m.peak_mb};
  })[0];
  progress("leaderless, 1,000 nodes, 1,000,000 writes");
  const auto million = medians(repeat, child, leaderless("1000000"), [](const Measured& m) {
    return std::vector<double>{m.elapsed_s, m.peak_mb};
  });
  progress("leaderless, 1,000 nodes, 10,000,000 operations (minutes)");
  const double large = medians(repeat, child, leaderless("10000000"), [](const Measured& m) {
    return std::vector<double>{m.peak_mb};
  })[0];
  progress("");
  fmt::print(out, "  peak memory, leaderless, 1,000 nodes, rf 3, QUORUM: {:.0f} MB at 100,000 operations, {:.0f} MB at "
             "1,000,000, {:.0f} MB at 10,000,000: x{:.2f} (at most x{:.1f}): {}\n",
             small, million[1], large, large / small, kMemoryGrowthLimit, verdict(large <= kMemoryGrowthLimit * small));
  fmt::print(out, "  leaderless, 1,000 nodes, rf 3, QUORUM, 1,000,000 writes: {:.1f} s of wall time, the process "
             "start to end (under {:.0f} s): {}\n",
             million[0], kLongRunLimitS, verdict(million[0] < kLongRunLimitS));
}

}  // namespace replisim
