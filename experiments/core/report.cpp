#include "experiments/core/report.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "experiments/output/csv.hpp"
#include "experiments/core/datastore.hpp"
#include "experiments/core/models/registry.hpp"

namespace replisim {

namespace {

std::string number(double x) { return std::isnan(x) ? "" : fmt::format("{:.6f}", x); }
double ratio(double a, double b) { return b == 0 ? std::nan("") : a / b; }
template <typename T>
std::string text(const T& x)
{
  return fmt::format("{}", x);
}

// Every model's parameters, as this run's model has them (as typed, or its
// default, or what the model reports it used), empty for the other models'.
void add_model_params(SummaryRow& row, const Datastore& e, const SummaryRow& results)
{
  const ModelSpec& spec = models().get(e.config().model);
  for (const ModelRegistry::SharedParam& p : models().params()) {
    const std::string column = p.spec.column();
    std::string value = summary_value(results, column);
    const bool declared = std::any_of(spec.params.begin(), spec.params.end(),
                                      [&](const ParamSpec& q) { return q.name == p.spec.name; });
    if (value.empty() && declared)
      value = e.config().params.column_text(p.spec);
    row.emplace_back(column, value);
  }
}

void add_run_params(SummaryRow& row, const RunConfig& c, int retries)
{
  const bool star = c.platform.empty();
  row.insert(row.end(), {
      {"delay", fmt::format("{}", fmt::join(c.delays, " "))},
      {"service", fmt::format("{}", fmt::join(c.services, " "))},
      {"threads", text(c.threads)},
      {"sync_writes", c.sync_writes ? "1" : "0"},
      {"down", fmt::format("{}", fmt::join(c.down, ";"))},
      {"latency_scale", text(c.latency_scale)},
      {"latency", star ? c.latency : ""},
      {"latency_ms", star ? number(c.latency_s * 1e3) : ""},
      {"bandwidth", star ? c.bandwidth : ""},
      {"host_speed", star ? c.host_speed : ""},
      {"cores", star ? text(c.cores) : ""},
      {"ops", text(c.ops)},
      {"read_ratio", text(c.read_ratio)},
      {"keys", text(c.keys)},
      {"key_dist", c.key_dist},
      {"concurrency", text(c.concurrency)},
      {"rate", text(c.rate)},
      {"value_bytes", text(c.value_bytes)},
      {"timeout", c.timeout},
      {"retries", text(retries)},
      {"retry_backoff", retries > 0 ? c.retry_backoff : ""},
      {"retry_backoff_max", retries > 0 ? c.retry_backoff_max : ""},
  });
}

void add_latency_results(SummaryRow& row, const OpMetrics& m)
{
  const auto& w = m.write_ms;
  row.insert(row.end(), {
      {"writes_ok", text(m.writes_ok)},
      {"writes_failed", text(m.writes_failed)},
      {"writes_timed_out", text(m.writes_timed_out)},
      {"writes_retried", text(m.writes_retried)},
      {"write_p50_ms", number(w.percentile(50))},
      {"write_p95_ms", number(w.percentile(95))},
      {"write_p99_ms", number(w.percentile(99))},
      {"write_mean_ms", number(ratio(w.sum(), static_cast<double>(w.size())))},
      {"write_max_ms", number(w.empty() ? std::nan("") : w.max())},
      {"write_queued_mean_ms", number(ratio(m.write_queued_ms, static_cast<double>(m.writes_ok)))},
      {"reads_ok", text(m.reads_ok)},
      {"read_p50_ms", number(m.read_ms.percentile(50))},
      {"read_p99_ms", number(m.read_ms.percentile(99))},
      {"stale_read_fraction", number(ratio(static_cast<double>(m.stale_reads), static_cast<double>(m.reads_ok)))},
      {"stale_versions_behind_mean",
       number(ratio(static_cast<double>(m.stale_versions_behind), static_cast<double>(m.stale_reads)))},
      {"stale_versions_behind_max", text(m.max_versions_behind)},
      {"dirty_reads", m.counts_dirty_reads() ? text(m.dirty_reads) : ""},
  });
}

void add_role_results(SummaryRow& row, const Datastore& e)
{
  const OpMetrics& m = e.metrics();
  const std::uint64_t writes = m.writes_ok + m.writes_failed + m.writes_timed_out;
  std::uint64_t write_msgs = m.write_attempts;  // each write's requests from its client
  for (const Traffic& t : e.traffic())
    write_msgs += t.write_path_msgs_sent;
  const RoleSummary roles = e.role_graph().summary();
  row.insert(row.end(), {
      {"msgs_per_write", number(ratio(static_cast<double>(write_msgs), static_cast<double>(writes)))},
      {"leader_is_primary_fraction",
       number(ratio(static_cast<double>(m.writes_led_by_primary), static_cast<double>(m.writes_ok)))},
      {"mixed_role_nodes", text(roles.mixed_role_nodes)},
      {"max_leader_units", text(roles.max_leader_units)},
      {"min_leader_units", text(roles.min_leader_units)},
      {"leader_imbalance", number(roles.leader_imbalance)},
      {"leaders_per_unit", text(roles.max_leaders_per_unit)},
  });
}

void add_load_results(SummaryRow& row, const Datastore& e)
{
  const int busiest = busiest_node(e.loads());
  row.insert(row.end(), {
      {"throughput_writes_per_s", number(ratio(static_cast<double>(e.metrics().writes_ok), e.cluster().clock()))},
      {"busiest_node", busiest >= 0 ? text(busiest) : ""},
      {"busiest_node_utilization",
       busiest >= 0 ? number(e.loads()[static_cast<std::size_t>(busiest)].busy_fraction) : ""},
  });
}

void add_failover_results(SummaryRow& row, const Datastore& e)
{
  const LeadershipTracker& l = e.leadership();
  const auto& outages = l.outages_ms();
  row.insert(row.end(), {
      {"outages", text(outages.size())},
      {"unavailability_p50_ms", number(percentile(outages, 50))},
      {"unavailability_p99_ms", number(percentile(outages, 99))},
      {"unavailability_max_ms", number(outages.empty() ? std::nan("") : outages.back())},
      {"write_unavailability_p50_ms", number(percentile(l.write_outages_ms(), 50))},
      {"write_unavailability_p99_ms", number(percentile(l.write_outages_ms(), 99))},
      {"write_unavailability_max_ms",
       number(l.write_outages_ms().empty() ? std::nan("") : l.write_outages_ms().back())},
      {"elections", text(l.elections())},
      {"split_votes", text(l.split_votes())},
      {"leader_imbalance_before_fault", number(l.imbalance_before_fault())},
      {"leader_imbalance_after_fault", number(l.imbalance_after_fault())},
  });
  const std::optional<std::uint64_t> lost = e.model().acked_writes_lost();
  row.emplace_back("acked_writes_lost", lost ? text(*lost) : "");
  const std::optional<std::uint64_t> rolled_back = e.model().writes_rolled_back();
  row.emplace_back("writes_rolled_back", rolled_back ? text(*rolled_back) : "");
}

// The SimGrid settings (--cfg=) the run changed from replisim's defaults,
// which may change its results: named in every summary.
std::string engine_settings(const RunConfig& c)
{
  std::vector<std::string> settings;
  for (const std::string& arg : c.engine_args)
    if (arg.starts_with("--cfg="))
      settings.push_back(arg.substr(6));
  return fmt::format("{}", fmt::join(settings, " "));
}

}  // namespace

const char* replisim_version() { return REPLISIM_VERSION; }

SummaryRow version_columns()
{
  return {{"replisim_version", replisim_version()}, {"schema_version", text(kSummarySchemaVersion)}};
}

SummaryRow summary_row(const Datastore& e, double wall_s)
{
  const RunConfig& c = e.config();
  const SummaryRow results = e.model().results();
  SummaryRow row = {
      {"model", c.model},
      {"platform", c.platform.empty() ? "star" : c.platform},
      {"nodes", text(c.nodes)},
      {"clients", text(c.clients)},
      {"rf", c.rf_text.empty() ? text(c.rf) : c.rf_text},
  };
  add_model_params(row, e, results);
  add_run_params(row, c, e.client_retries());
  row.emplace_back("unit_count", text(e.placement().unit_count()));
  add_latency_results(row, e.metrics());
  add_role_results(row, e);
  add_load_results(row, e);
  add_failover_results(row, e);
  for (const std::string& column : models().result_columns())
    row.emplace_back(column, summary_value(results, column));
  row.insert(row.end(), {
      {"engine_settings", engine_settings(c)},
      {"sim_time_s", number(e.cluster().clock())},
      {"wall_s", number(wall_s)},
      {"seed", text(c.seed)},
  });
  const SummaryRow versions = version_columns();
  row.insert(row.end(), versions.begin(), versions.end());
  return row;
}

std::string summary_value(const SummaryRow& row, const std::string& name)
{
  for (const auto& [column, value] : row)
    if (column == name)
      return value;
  return "";
}

std::string summary_csv(const SummaryRow& row)
{
  CsvRecord names, values;
  for (const auto& [name, value] : row) {
    names.push_back(name);
    values.push_back(value);
  }
  return csv_line(names) + csv_line(values);
}

void write_timeline_csv(std::ostream& out, const Datastore& e, double step, Time end)
{
  out << "time_s,node,host,leader_units\n";
  e.leadership().timeline(step, end, [&](const LeadershipTracker::Sample& s) {
    out << fmt::format("{:.6f},{},{},{}\n", s.at, s.node, e.cluster().nodes().at(static_cast<std::size_t>(s.node)).name,
                       s.leader_units);
  });
}

std::string outages_csv(const Datastore& e)
{
  const auto& nodes = e.cluster().nodes();
  const auto node = [&](NodeId n) {
    return n == kNoNode ? std::string(",") : fmt::format("{},{}", n, nodes.at(static_cast<std::size_t>(n)).name);
  };
  std::string csv = "unit,from_s,until_s,duration_ms,leader_before,leader_before_host,leader_after,leader_after_host\n";
  for (const auto& o : e.leadership().outages())
    csv += fmt::format("{},{:.6f},{:.6f},{:.6f},{},{}\n", o.unit, o.from, o.until, (o.until - o.from) * 1e3,
                       node(o.leader_before), node(o.leader_after));
  return csv;
}

std::string roles_csv(const Datastore& e)
{
  const auto roles = e.role_graph().per_node();
  const std::vector<NodeId> follows = e.model().follows();
  std::string csv = "node,host,zone,primary_units,replica_units,leader_units,follower_units,writes_led,"
                    "writes_replicated,msgs_sent,msgs_received,bytes_sent,follows,threads,busy_fraction,"
                    "queue_wait_p99_ms,queue_wait_mean_ms,max_queue_length,messages_handled\n";
  for (std::size_t n = 0; n < roles.size(); ++n) {
    const auto& r = roles[n];
    const auto& host = e.cluster().nodes()[n];
    const auto& counters = e.nodes()[n]->counters();
    const Traffic& t = e.traffic().at(n);
    const NodeLoadSummary& load = e.loads().at(n);
    const NodeId leader = n < follows.size() ? follows[n] : kNoNode;
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", n, host.name, host.zone,
                       r.primary_units, r.replica_units, r.leader_units, r.follower_units, counters.writes_led,
                       counters.writes_replicated, t.msgs_sent, t.msgs_received, t.bytes_sent,
                       leader == kNoNode ? std::string() : text(leader), load.threads, number(load.busy_fraction),
                       number(load.queue_wait_p99_ms), number(load.queue_wait_mean_ms), load.max_queue_length,
                       load.handled);
  }
  return csv;
}

RunOutputs::RunOutputs(const RunConfig& config) : config_(config)
{
  if (config_.out.empty())
    return;
  // The directories this run creates, outermost first: removed again (when
  // empty) unless the run commits.
  std::vector<std::filesystem::path> missing;
  for (std::filesystem::path p = std::filesystem::absolute(config_.out); !p.empty() && !std::filesystem::exists(p);
       p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path())
      break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    created_dirs_.emplace_back(*it, leftovers::add(it->string(), true));
    std::filesystem::create_directory(*it);
  }
  if (config_.ops_file != "none")
    ops_ = std::make_unique<OutputFile>(config_.out, config_.ops_file == "gz" ? "ops.csv.gz" : "ops.csv",
                                        config_.ops_file == "gz");
}

RunOutputs::~RunOutputs()
{
  ops_.reset();
  for (auto it = created_dirs_.rbegin(); it != created_dirs_.rend(); ++it) {
    if (!committed_) {
      std::error_code ignored;
      std::filesystem::remove(it->first, ignored);  // only when empty
    }
    leftovers::forget(it->second);
  }
}

// The timeline's step: --timeline-step, unless the run lasted so long that it
// would give more than kMaxTimelineRows rows; then the smallest multiple of
// it that does not, with a line saying so.
double RunOutputs::timeline_step(const Datastore& e) const
{
  const double step = config_.timeline_step_s;
  const double rows = (std::floor(e.cluster().clock() / step) + 1) * static_cast<double>(e.cluster().nodes().size());
  if (rows <= kMaxTimelineRows)
    return step;
  const double coarser = step * std::ceil(rows / kMaxTimelineRows);
  std::cerr << fmt::format("replisim: roles_timeline.csv: a step of {} s over {} s of {} nodes would be {:.0f} rows; "
                           "written every {} s instead (at most {:.0f} rows)\n",
                           step, e.cluster().clock(), e.cluster().nodes().size(), rows, coarser, kMaxTimelineRows);
  return coarser;
}

// The files of replisim's own names in --out that this run did not write:
// an earlier run's, which would pass for this one's.
void RunOutputs::remove_earlier_outputs(const std::vector<std::filesystem::path>& written) const
{
  if (config_.out.empty())
    return;
  for (const char* name : kRunOutputNames) {
    const std::filesystem::path file = std::filesystem::path(config_.out) / name;
    if (std::find(written.begin(), written.end(), file) != written.end())
      continue;
    std::error_code error;
    if (std::filesystem::symlink_status(file, error).type() == std::filesystem::file_type::regular)
      std::filesystem::remove(file, error);
  }
}

std::ostream* RunOutputs::ops_stream() { return ops_ ? &ops_->stream() : nullptr; }

std::vector<std::filesystem::path> RunOutputs::commit(const Datastore& e, const SummaryRow& summary_row)
{
  // Every file written and closed under its temporary name first...
  std::vector<std::unique_ptr<OutputFile>> files;
  if (!config_.out.empty()) {
    files.push_back(std::make_unique<OutputFile>(config_.out, "roles.csv"));
    files.back()->stream() << roles_csv(e);
    files.push_back(std::make_unique<OutputFile>(config_.out, "visibility.csv"));
    files.back()->stream() << e.metrics().visibility_csv();
    files.push_back(std::make_unique<OutputFile>(config_.out, "summary.csv"));
    files.back()->stream() << summary_csv(summary_row);
    if (config_.timeline_step_s > 0) {
      files.push_back(std::make_unique<OutputFile>(config_.out, "roles_timeline.csv"));
      write_timeline_csv(files.back()->stream(), e, timeline_step(e), e.cluster().clock());
      files.push_back(std::make_unique<OutputFile>(config_.out, "outages.csv"));
      files.back()->stream() << outages_csv(e);
    }
  }
  if (!config_.roles_dot.empty()) {
    const std::filesystem::path path(config_.roles_dot);
    files.push_back(
        std::make_unique<OutputFile>(path.has_parent_path() ? path.parent_path() : ".", path.filename().string()));
    std::vector<std::string> names;
    for (const HostInfo& h : e.cluster().nodes())
      names.push_back(h.name);
    e.role_graph().write_dot(files.back()->stream(), names);
  }
  if (ops_)
    ops_->close();
  for (auto& f : files)
    f->close();
  // ...then all renamed; should a rename fail, those already renamed go too.
  std::vector<std::filesystem::path> committed;
  try {
    if (ops_) {
      ops_->commit();
      committed.push_back(ops_->path());
    }
    for (auto& f : files) {
      f->commit();
      committed.push_back(f->path());
    }
  } catch (...) {
    for (const auto& p : committed) {
      std::error_code ignored;
      std::filesystem::remove(p, ignored);
    }
    throw;
  }
  committed_ = true;
  remove_earlier_outputs(committed);
  return committed;
}

}  // namespace replisim
