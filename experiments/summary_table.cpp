// The run's summary for people: a short table on the terminal.
#include <filesystem>
#include <ostream>

#include <fmt/ostream.h>

#include "experiments/experiment.hpp"

namespace replisim {

namespace {

std::string ms(const std::string& v) { return v.empty() ? "-" : fmt::format("{:.3f}", std::stod(v)); }
}  // namespace

void print_summary_table(std::ostream& out, const Experiment& experiment)
{
  const SummaryRow& s = experiment.summary();
  const auto v = [&](const char* name) { return summary_value(s, name); };
  // Multi-leader copies the one unit, the key space, to every node: rf does not apply.
  const std::string replication =
      v("model") == "multi-leader" ? fmt::format("{} leaders", v("leaders_per_unit")) : fmt::format("rf {}", v("rf"));
  const std::string units = v("unit_count") == "1" ? "1 unit" : v("unit_count") + " units";
  fmt::print(out, "replisim run: {}, {} nodes, {}, {}, {} clients, {} ops, seed {}\n", v("model"), v("nodes"), units,
             replication, v("clients"), v("ops"), v("seed"));
  fmt::print(out, "  roles: {}\n", experiment.mapping_line());
  fmt::print(out, "  {:<8}{:>9}{:>9}{:>11}{:>11}{:>11}{:>11}\n", "", "ok", "failed", "p50 ms", "p95 ms", "p99 ms",
             "max ms");
  fmt::print(out, "  {:<8}{:>9}{:>9}{:>11}{:>11}{:>11}{:>11}\n", "writes", v("writes_ok"), v("writes_failed"),
             ms(v("write_p50_ms")), ms(v("write_p95_ms")), ms(v("write_p99_ms")), ms(v("write_max_ms")));
  if (v("reads_ok") != "0" || experiment.metrics().reads_failed > 0)
    fmt::print(out, "  {:<8}{:>9}{:>9}{:>11}{:>11}{:>11}{:>11}   stale {}\n", "reads", v("reads_ok"),
               experiment.metrics().reads_failed, ms(v("read_p50_ms")), "-", ms(v("read_p99_ms")), "-",
               v("stale_read_fraction"));
  fmt::print(out, "  messages per write {}; share of writes led or coordinated by the unit's primary {}\n",
             ms(v("msgs_per_write")), ms(v("leader_is_primary_fraction")));
  if (!v("conflicts").empty())
    fmt::print(out, "  conflicts {}, lost updates {}, convergence p50 {} ms, p99 {} ms\n", v("conflicts"),
               v("lost_updates"), ms(v("convergence_p50_ms")), ms(v("convergence_p99_ms")));
  if (const std::string busiest = v("busiest_node"); !busiest.empty() && v("busiest_node_utilization") != "0.000000") {
    const auto n = static_cast<std::size_t>(std::stoul(busiest));
    const NodeLoadSummary& load = experiment.loads().at(n);
    fmt::print(out, "  throughput {} writes/s\n", ms(v("throughput_writes_per_s")));
    fmt::print(out, "  busiest node {} ({}: {}): busy {:.1f}%, queue wait p99 {} ms, inbox up to {}\n", busiest, experiment.cluster().nodes().at(n).name,
               describe_roles(experiment.deployment().role_graph().per_node().at(n)), load.busy_fraction * 100,
               ms(fmt::format("{}", load.queue_wait_p99_ms)), load.max_queue_length);
  }
  fmt::print(out, "  {} s simulated in {} s\n", ms(v("sim_time_s")), ms(v("wall_s")));
  if (!experiment.config().out.empty()) {
    const std::filesystem::path dir(experiment.config().out);
    fmt::print(out, "  wrote {}, {}, {}, {}\n", (dir / "ops.csv").string(), (dir / "roles.csv").string(),
               (dir / "visibility.csv").string(), (dir / "summary.csv").string());
  }
}

}  // namespace replisim
