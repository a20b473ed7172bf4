// What `replisim bench` shows: per case (model, node count, costs), the
// medians of its measurements, the ratio to the bare loop and the target it
// is held to, as a terminal table and as CSV for analysis/plot_bench.py.
#pragma once
#include <ostream>
#include <string>
#include <vector>

namespace replisim {

// One measurement: a replisim run and the bare run that followed it.
struct BenchSample {
  double ops = 0;
  double messages = 0;
  double in_flight = 0;  // transfers in flight as each started, on average: the bare loop keeps as many
  double executions = 0;
  double run_s = 0;
  double setup_s = 0;
  double peak_mb = 0;
  double bare_messages = 0;
  double bare_executions = 0;
  double bare_run_s = 0;
  double bare_setup_s = 0;
  double bare_peak_mb = 0;

  double ops_per_s() const { return ops / run_s; }
  double msgs_per_s() const { return messages / run_s; }
  double bare_msgs_per_s() const { return bare_messages / bare_run_s; }
  double ratio() const { return msgs_per_s() / bare_msgs_per_s(); }
};

struct BenchCase {
  std::string model;
  int nodes = 0;
  int clients = 0;
  std::string costs;  // "none", or the cost per message
  std::vector<BenchSample> samples;

  // The median over the samples of `figure`.
  double median(double (BenchSample::*figure)() const) const;
  double median(double BenchSample::*figure) const;
  bool ratio_met() const;
};

// The ratio a case must reach: 0.8 up to 100 nodes, 0.7 up to 1,000, 0.6 beyond.
double ratio_target(int nodes);

void print_bench_header(std::ostream& out);
void print_bench_case(std::ostream& out, const BenchCase& c);
// One line: how many cases met their ratio target.
void print_bench_verdict(std::ostream& out, const std::vector<BenchCase>& cases);
// `engine_args`: the SimGrid settings (--cfg=...) both replisim and the bare
// loop ran with, in every row.
std::string bench_csv(const std::vector<BenchCase>& cases, const std::vector<std::string>& engine_args);

}  // namespace replisim
