#include "experiments/cli/summary_table.hpp"

#include <algorithm>
#include <filesystem>
#include <ostream>

#include <fmt/ostream.h>
#include <fmt/ranges.h>

#include "experiments/core/experiment.hpp"
#include "experiments/core/models/registry.hpp"
#include "experiments/core/report.hpp"

namespace replisim {

namespace {

std::string ms(const std::string& v) { return v.empty() ? "-" : fmt::format("{:.3f}", std::stod(v)); }

// The model's own results in words: "conflicts 12, lost updates 0,
// convergence p50 31.2 ms". Parameters it reports (start_index) are left to
// summary.csv.
std::string model_results(const SummaryRow& results)
{
  std::vector<std::string> parts;
  const auto& columns = models().result_columns();
  for (const auto& [column, value] : results) {
    if (std::find(columns.begin(), columns.end(), column) == columns.end() || value.empty())
      continue;
    std::string words = column;
    const bool in_ms = words.ends_with("_ms");
    if (in_ms)
      words.resize(words.size() - 3);
    std::replace(words.begin(), words.end(), '_', ' ');
    parts.push_back(in_ms ? fmt::format("{} {} ms", words, ms(value)) : fmt::format("{} {}", words, value));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}
}  // namespace

void print_summary_table(std::ostream& out, const Experiment& experiment)
{
  const SummaryRow& s = experiment.summary();
  const auto v = [&](const char* name) { return summary_value(s, name); };
  const std::string replication = experiment.model().replication();
  const std::string units = v("unit_count") == "1" ? "1 unit" : v("unit_count") + " units";
  fmt::print(out, "replisim run: {}, {} nodes, {}, {}, {} clients, {} ops, seed {}\n", v("model"), v("nodes"), units,
             replication, v("clients"), v("ops"), v("seed"));
  const RoleGraph graph = experiment.role_graph();
  fmt::print(out, "  roles: {}\n", describe_mapping(graph.summary(), graph.per_node()));
  fmt::print(out, "  {:<8}{:>9}{:>9}{:>11}{:>11}{:>11}{:>11}\n", "", "ok", "failed", "p50 ms", "p95 ms", "p99 ms",
             "max ms");
  fmt::print(out, "  {:<8}{:>9}{:>9}{:>11}{:>11}{:>11}{:>11}\n", "writes", v("writes_ok"), v("writes_failed"),
             ms(v("write_p50_ms")), ms(v("write_p95_ms")), ms(v("write_p99_ms")), ms(v("write_max_ms")));
  if (v("writes_timed_out") != "0" || v("writes_retried") != "0")
    fmt::print(out, "  writes timed out {} (they may have committed), retried {}\n", v("writes_timed_out"),
               v("writes_retried"));
  if (v("outages") != "0" || v("elections") != "0" || !v("acked_writes_lost").empty()) {
    std::string line = fmt::format("  failover: {} outage(s)", v("outages"));
    if (v("outages") != "0")
      line += fmt::format(" without a leader, p50 {} / p99 {} / max {} ms", ms(v("unavailability_p50_ms")),
                          ms(v("unavailability_p99_ms")), ms(v("unavailability_max_ms")));
    line += fmt::format("; {} election(s), {} split vote(s)", v("elections"), v("split_votes"));
    if (!v("acked_writes_lost").empty())
      line += fmt::format("; acknowledged writes lost {}", v("acked_writes_lost"));
    if (!v("leader_imbalance_before_fault").empty())
      line += fmt::format("; leader imbalance {} before the fault, {} after, {} at the end",
                          ms(v("leader_imbalance_before_fault")), ms(v("leader_imbalance_after_fault")),
                          ms(v("leader_imbalance")));
    fmt::print(out, "{}\n", line);
  }
  if (v("reads_ok") != "0" || experiment.metrics().reads_failed > 0)
    fmt::print(out, "  {:<8}{:>9}{:>9}{:>11}{:>11}{:>11}{:>11}   stale {}\n", "reads", v("reads_ok"),
               experiment.metrics().reads_failed, ms(v("read_p50_ms")), "-", ms(v("read_p99_ms")), "-",
               v("stale_read_fraction"));
  fmt::print(out, "  messages per write {}; share of writes led or coordinated by the unit's primary {}\n",
             ms(v("msgs_per_write")), ms(v("leader_is_primary_fraction")));
  if (const std::string line = model_results(experiment.model().results()); !line.empty())
    fmt::print(out, "  {}\n", line);
  if (const std::string busiest = v("busiest_node"); !busiest.empty() && v("busiest_node_utilization") != "0.000000") {
    const auto n = static_cast<std::size_t>(std::stoul(busiest));
    const NodeLoadSummary& load = experiment.loads().at(n);
    fmt::print(out, "  throughput {} writes/s\n", ms(v("throughput_writes_per_s")));
    fmt::print(out, "  busiest node {} ({}: {}): busy {:.1f}%, queue wait p99 {} ms, inbox up to {}\n", busiest, experiment.cluster().nodes().at(n).name,
               describe_roles(graph.per_node().at(n)), load.busy_fraction * 100,
               ms(fmt::format("{}", load.queue_wait_p99_ms)), load.max_queue_length);
  }
  if (const std::string settings = v("engine_settings"); !settings.empty())
    fmt::print(out, "  SimGrid settings changed from replisim's defaults (results may differ): {}\n", settings);
  fmt::print(out, "  {} s simulated in {} s\n", ms(v("sim_time_s")), ms(v("wall_s")));
  if (!experiment.written().empty()) {
    std::vector<std::string> files;
    for (const auto& f : experiment.written())
      files.push_back(f.string());
    fmt::print(out, "  wrote {}\n", fmt::join(files, ", "));
  }

}

}  // namespace replisim
