#include "experiments/bench/bench_report.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

#include "experiments/output/csv.hpp"
#include "protocols/common/quantities.hpp"

namespace replisim {

namespace {

double median_of(std::vector<double> values)
{
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n == 0 ? 0 : n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

template <typename Get>
std::vector<double> each(const std::vector<BenchSample>& samples, Get get)
{
  std::vector<double> values;
  for (const BenchSample& s : samples)
    values.push_back(get(s));
  return values;
}

std::string rate(double per_second) { return grouped(static_cast<std::uint64_t>(per_second + 0.5)); }

}  // namespace

double BenchCase::median(double (BenchSample::*figure)() const) const
{
  return median_of(each(samples, [&](const BenchSample& s) { return (s.*figure)(); }));
}

double BenchCase::median(double BenchSample::*figure) const
{
  return median_of(each(samples, [&](const BenchSample& s) { return s.*figure; }));
}

bool BenchCase::ratio_met() const { return median(&BenchSample::ratio) >= ratio_target(nodes); }

double ratio_target(int nodes) { return nodes <= 100 ? 0.8 : nodes <= 1000 ? 0.7 : 0.6; }

void print_bench_header(std::ostream& out)
{
  fmt::print(out, "{:<16} {:>6} {:>7} {:>6} {:>10} {:>11} {:>11} {:>6} {:>11} {:>8} {:>8}\n", "model", "nodes",
             "clients", "costs", "ops/s", "msgs/s", "bare msgs/s", "ratio", "target", "set-up s", "peak MB");
}

void print_bench_case(std::ostream& out, const BenchCase& c)
{
  fmt::print(out, "{:<16} {:>6} {:>7} {:>6} {:>10} {:>11} {:>11} {:>6.2f} {:>11} {:>8.2f} {:>8.0f}\n", c.model,
             grouped(static_cast<std::uint64_t>(c.nodes)), c.clients, c.costs, rate(c.median(&BenchSample::ops_per_s)),
             rate(c.median(&BenchSample::msgs_per_s)), rate(c.median(&BenchSample::bare_msgs_per_s)),
             c.median(&BenchSample::ratio), fmt::format(">={:.1f} {}", ratio_target(c.nodes), c.ratio_met() ? "met" : "NOT"),
             c.median(&BenchSample::setup_s), c.median(&BenchSample::peak_mb));
  out.flush();
}

void print_bench_verdict(std::ostream& out, const std::vector<BenchCase>& cases)
{
  const auto met = std::count_if(cases.begin(), cases.end(), [](const BenchCase& c) { return c.ratio_met(); });
  fmt::print(out, "\nRatio targets (0.8 up to 100 nodes, 0.7 up to 1,000, 0.6 beyond): {} of {} cases met{}\n", met,
             cases.size(), met == static_cast<long>(cases.size()) ? "" : "; NOT met by the others");
}

std::string bench_csv(const std::vector<BenchCase>& cases, const std::vector<std::string>& engine_args)
{
  std::string csv = csv_line({"model", "nodes", "clients", "costs", "repeats", "ops", "messages", "in_flight", "executions",
                              "ops_per_s", "msgs_per_s", "bare_msgs_per_s", "ratio", "ratio_min", "ratio_max",
                              "ratio_target", "ratio_met", "run_s", "bare_run_s", "setup_s", "bare_setup_s", "peak_mb",
                              "bare_peak_mb", "bare_messages", "bare_executions", "engine_settings"});
  const auto number = [](double x) { return fmt::format("{:.6g}", x); };
  for (const BenchCase& c : cases) {
    const auto ratios = each(c.samples, [](const BenchSample& s) { return s.ratio(); });
    csv += csv_line({c.model, fmt::format("{}", c.nodes), fmt::format("{}", c.clients), c.costs,
                     fmt::format("{}", c.samples.size()), number(c.median(&BenchSample::ops)),
                     number(c.median(&BenchSample::messages)), number(c.median(&BenchSample::in_flight)),
                     number(c.median(&BenchSample::executions)),
                     number(c.median(&BenchSample::ops_per_s)), number(c.median(&BenchSample::msgs_per_s)),
                     number(c.median(&BenchSample::bare_msgs_per_s)), number(c.median(&BenchSample::ratio)),
                     number(*std::min_element(ratios.begin(), ratios.end())),
                     number(*std::max_element(ratios.begin(), ratios.end())), number(ratio_target(c.nodes)),
                     c.ratio_met() ? "1" : "0", number(c.median(&BenchSample::run_s)),
                     number(c.median(&BenchSample::bare_run_s)), number(c.median(&BenchSample::setup_s)),
                     number(c.median(&BenchSample::bare_setup_s)), number(c.median(&BenchSample::peak_mb)),
                     number(c.median(&BenchSample::bare_peak_mb)), number(c.median(&BenchSample::bare_messages)),
                     number(c.median(&BenchSample::bare_executions)), fmt::format("{}", fmt::join(engine_args, " "))});
  }
  return csv;
}

}  // namespace replisim
