#include "experiments/experiment.hpp"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fmt/ostream.h>

#include "experiments/convergence.hpp"
#include "experiments/csv.hpp"
#include "experiments/output_file.hpp"
#include "experiments/role_graph.hpp"
#include "platforms/star_platform.hpp"
#include "protocols/rng.hpp"

namespace replisim {

namespace {

constexpr std::uint64_t kDelayStream = (1u << 20) + 2;  // past every client's stream
constexpr std::uint64_t kServiceStreams = 1u << 21;     // node n draws its costs from stream kServiceStreams + n
constexpr double kDrainPoll = 0.001;  // seconds: how often the end of a multi-leader run checks for quiet

std::string number(double x) { return std::isnan(x) ? "" : fmt::format("{:.6f}", x); }


// SimGrid loads platforms from files; a generated star goes through a
// temporary one (with the .xml ending SimGrid dispatches on).
void load_star(Cluster& cluster, const RunConfig& config)
{
  const std::string xml = star_platform_xml(config.star());
  std::string path = (std::filesystem::temp_directory_path() / "replisim-star-XXXXXX.xml").string();
  const int fd = mkstemps(path.data(), 4);
  if (fd < 0)
    throw std::runtime_error("cannot create a temporary platform file in " + std::filesystem::temp_directory_path().string());
  close(fd);
  std::ofstream(path) << xml;
  try {
    cluster.load_platform(path);
  } catch (...) {
    std::filesystem::remove(path);
    throw;
  }
  std::filesystem::remove(path);
}

}  // namespace

Experiment::Experiment(RunConfig config) : config_(std::move(config))
{
  config_.check();
  cluster_ = std::make_unique<Cluster>(config_.engine_args, MessageSizes{64, config_.value_bytes}, config_.delay_model,
                                       derive_seed(config_.seed, kDelayStream));
  if (config_.platform.empty()) {
    load_star(*cluster_, config_);
  } else {
    cluster_->load_platform(config_.platform);
    const int available = static_cast<int>(cluster_->nodes().size());
    if (config_.nodes_given) {
      if (config_.nodes > available)
        throw std::invalid_argument(
            fmt::format("--nodes: {} is more than the {} node hosts of '{}'", config_.nodes, available, config_.platform));
      cluster_->use_only_nodes(config_.nodes);
    }
    config_.nodes = static_cast<int>(cluster_->nodes().size());
  }
  if (config_.latency_scale != 1.0)
    cluster_->scale_latencies(config_.latency_scale);
  if (config_.sync_writes)
    cluster_->require_disks();
  server_settings_.threads = config_.threads;
  server_settings_.service = config_.service_model;
  server_settings_.sync_writes = config_.sync_writes;
  deployment_ = deploy(config_, *cluster_);
  for (NodeId n = 0; n < deployment_.membership->node_count(); ++n)
    if (!deployment_.membership->alive[n])
      cluster_->turn_off_node(n);
}

Experiment::~Experiment() = default;

void Experiment::run()
{
  const auto wall_start = std::chrono::steady_clock::now();
  std::unique_ptr<OutputFile> ops_file;
  if (!config_.out.empty()) {
    std::filesystem::create_directories(config_.out);
    ops_file = std::make_unique<OutputFile>(config_.out, "ops.csv");
  }
  metrics_ = std::make_unique<OpMetrics>(ops_file ? &ops_file->stream() : nullptr);

  const int nodes = static_cast<int>(deployment_.nodes.size());
  traffic_.assign(static_cast<std::size_t>(nodes), Traffic{});
  for (NodeId n = 0; n < nodes; ++n)
    cluster_->add_node(n, *deployment_.nodes[n], traffic_[n], server_settings_,
                       derive_seed(config_.seed, kServiceStreams + static_cast<std::uint64_t>(n)));

  const Workload workload(KeyChooser(config_.key_distribution, config_.keys), config_.read_ratio);
  for (ClientId c = 0; c < config_.clients; ++c) {
    ClientConfig cc;
    cc.id = c;
    cc.client_count = config_.clients;
    // Spread --ops over the clients; the first ones take the remainder.
    cc.ops = config_.ops / config_.clients + (static_cast<std::uint64_t>(c) < config_.ops % config_.clients ? 1 : 0);
    cc.concurrency = config_.concurrency;
    cc.rate = config_.rate;
    cc.timeout = config_.timeout_s;
    cc.seed = derive_seed(config_.seed, static_cast<std::uint64_t>(c));
    clients_.push_back(std::make_unique<ClientMachine>(cc, *deployment_.placement, *deployment_.routers[c], workload));
    if (cc.ops > 0)
      cluster_->add_client(c, *clients_.back(), [this](const Completion& op) {
        metrics_->record(op);
        if (deployment_.groups && op.kind == OpKind::write && op.outcome == Outcome::ok)
          acked_at_.emplace(std::pair{op.key, op.version}, op.end);
      });
  }
  if (deployment_.groups) {
    // Asynchronous replication outlives the clients: run until every leader
    // has shipped and received everything, then check they agree.
    cluster_->drain_after_clients(
        [this] {
          return std::none_of(deployment_.nodes.begin(), deployment_.nodes.end(), [](const auto& n) {
            return static_cast<const MultiLeaderNode&>(*n).has_unsent_writes();
          });
        },
        kDrainPoll);
  }

  cluster_->run();
  if (deployment_.groups)
    convergence_ = analyse_convergence(deployment_, acked_at_);
  metrics_->finish();
  for (NodeId n = 0; n < nodes; ++n)
    loads_.push_back(summarise_load(cluster_->load_of(n), cluster_->clock()));
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  summary_ = make_summary(wall_s);

  if (!config_.roles_dot.empty()) {
    const std::filesystem::path dot(config_.roles_dot);
    OutputFile file(dot.has_parent_path() ? dot.parent_path() : ".", dot.filename().string());
    std::vector<std::string> names;
    for (const HostInfo& h : cluster_->nodes())
      names.push_back(h.name);
    deployment_.role_graph().write_dot(file.stream(), names);
    file.commit();
  }
  if (ops_file) {
    OutputFile roles(config_.out, "roles.csv");
    roles.stream() << roles_csv();
    OutputFile summary(config_.out, "summary.csv");
    summary.stream() << summary_csv(summary_);
    OutputFile visibility(config_.out, "visibility.csv");
    visibility.stream() << metrics_->visibility_csv();
    ops_file->commit();
    roles.commit();
    visibility.commit();
    summary.commit();
  }
}

std::string Experiment::roles_csv() const
{
  const RoleGraph graph = deployment_.role_graph();
  const auto roles = graph.per_node();
  std::string csv = "node,host,zone,primary_units,replica_units,leader_units,follower_units,writes_led,"
                    "writes_replicated,msgs_sent,msgs_received,bytes_sent,follows,threads,busy_fraction,"
                    "queue_wait_p99_ms,queue_wait_mean_ms,max_queue_length,messages_handled\n";
  for (std::size_t n = 0; n < roles.size(); ++n) {
    const auto& r = roles[n];
    const auto& host = cluster_->nodes()[n];
    const auto& counters = deployment_.nodes[n]->counters();
    const Traffic& t = traffic_.at(n);
    // Multi-leader: the leader a follower applies the writes of.
    const NodeId follows = deployment_.groups ? deployment_.groups->leader_of(static_cast<NodeId>(n)) : kNoNode;
    const NodeLoadSummary& load = loads_.at(n);
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", n, host.name, host.zone,
                       r.primary_units, r.replica_units, r.leader_units, r.follower_units, counters.writes_led,
                       counters.writes_replicated, t.msgs_sent, t.msgs_received, t.bytes_sent,
                       follows == kNoNode ? std::string() : fmt::format("{}", follows), load.threads,
                       number(load.busy_fraction), number(load.queue_wait_p99_ms), number(load.queue_wait_mean_ms),
                       load.max_queue_length, load.handled);
  }
  return csv;
}

std::string Experiment::mapping_line() const
{
  const RoleGraph graph = deployment_.role_graph();
  return describe_mapping(graph.summary(), graph.per_node());
}

SummaryRow Experiment::make_summary(double wall_s) const
{
  const RunConfig& c = config_;
  const OpMetrics& m = *metrics_;
  const RoleSummary roles = deployment_.role_graph().summary();
  std::uint64_t write_msgs = 0;
  for (const Traffic& t : traffic_)
    write_msgs += t.write_path_msgs_sent;
  write_msgs += m.writes_ok + m.writes_failed;  // each write's request from its client
  double write_sum = 0;
  for (double x : m.write_ms)
    write_sum += x;
  const std::uint64_t writes = m.writes_ok + m.writes_failed;
  const auto ratio = [](double a, double b) { return b == 0 ? std::nan("") : a / b; };
  const bool leaderless = c.model == "leaderless";
  const bool multi = c.model == "multi-leader";
  const Convergence& conv = convergence_;
  const int busiest = busiest_node(loads_);

  return {
      {"model", c.model},
      {"platform", c.platform.empty() ? "star" : c.platform},
      {"nodes", fmt::format("{}", c.nodes)},
      {"clients", fmt::format("{}", c.clients)},
      {"rf", c.rf_text.empty() ? fmt::format("{}", c.rf) : c.rf_text},
      {"write_concern", c.model == "leader-follower" ? c.write_concern : ""},
      {"acks", c.model == "partitioned" ? c.acks : ""},
      {"min_insync", c.model == "partitioned" ? fmt::format("{}", c.min_insync) : ""},
      {"start_index", deployment_.start_index >= 0 ? fmt::format("{}", deployment_.start_index) : ""},
      {"vnodes", leaderless ? fmt::format("{}", c.vnodes) : ""},
      {"strategy", leaderless ? c.strategy : ""},
      {"coordinator", leaderless ? c.coordinator : ""},
      {"consistency", leaderless ? c.consistency : ""},
      {"read_consistency", leaderless ? c.read_consistency : ""},
      {"read_repair", leaderless ? (c.read_repair ? "1" : "0") : ""},
      {"read_from", leaderless ? "" : c.read_from},
      {"delay", fmt::format("{}", fmt::join(c.delays, " "))},
      {"down", fmt::format("{}", fmt::join(c.down, ";"))},
      {"service", fmt::format("{}", fmt::join(c.services, " "))},
      {"threads", fmt::format("{}", c.threads)},
      {"sync_writes", c.sync_writes ? "1" : "0"},
      {"host_speed", c.platform.empty() ? c.host_speed : ""},
      {"cores", c.platform.empty() ? fmt::format("{}", c.cores) : ""},
      {"latency_scale", fmt::format("{}", c.latency_scale)},
      {"leaders_per_zone", multi ? fmt::format("{}", c.leaders_per_zone) : ""},
      {"leader_choice", multi ? c.leader_choice : ""},
      {"replication_interval", multi ? c.replication_interval : ""},
      {"latency", c.platform.empty() ? c.latency : ""},
      {"latency_ms", c.platform.empty() ? number(c.latency_s * 1e3) : ""},
      {"bandwidth", c.platform.empty() ? c.bandwidth : ""},
      {"ops", fmt::format("{}", c.ops)},
      {"read_ratio", fmt::format("{}", c.read_ratio)},
      {"keys", fmt::format("{}", c.keys)},
      {"key_dist", c.key_dist},
      {"concurrency", fmt::format("{}", c.concurrency)},
      {"rate", fmt::format("{}", c.rate)},
      {"value_bytes", fmt::format("{}", c.value_bytes)},
      {"units", c.units_given ? fmt::format("{}", c.units) : ""},
      {"unit_count", fmt::format("{}", deployment_.placement->unit_count())},
      {"writes_ok", fmt::format("{}", m.writes_ok)},
      {"writes_failed", fmt::format("{}", m.writes_failed)},
      {"write_p50_ms", number(percentile(m.write_ms, 50))},
      {"write_p95_ms", number(percentile(m.write_ms, 95))},
      {"write_p99_ms", number(percentile(m.write_ms, 99))},
      {"write_mean_ms", number(ratio(write_sum, static_cast<double>(m.write_ms.size())))},
      {"write_max_ms", number(m.write_ms.empty() ? std::nan("") : m.write_ms.back())},
      {"write_queued_mean_ms", number(ratio(m.write_queued_ms, static_cast<double>(m.writes_ok)))},
      {"reads_ok", fmt::format("{}", m.reads_ok)},
      {"read_p50_ms", number(percentile(m.read_ms, 50))},
      {"read_p99_ms", number(percentile(m.read_ms, 99))},
      {"stale_read_fraction", number(ratio(static_cast<double>(m.stale_reads), static_cast<double>(m.reads_ok)))},
      {"stale_versions_behind_mean",
       number(ratio(static_cast<double>(m.stale_versions_behind), static_cast<double>(m.stale_reads)))},
      {"stale_versions_behind_max", fmt::format("{}", m.max_versions_behind)},
      {"msgs_per_write", number(ratio(static_cast<double>(write_msgs), static_cast<double>(writes)))},
      {"leader_is_primary_fraction",
       number(ratio(static_cast<double>(m.writes_led_by_primary), static_cast<double>(m.writes_ok)))},
      {"mixed_role_nodes", fmt::format("{}", roles.mixed_role_nodes)},
      {"max_leader_units", fmt::format("{}", roles.max_leader_units)},
      {"min_leader_units", fmt::format("{}", roles.min_leader_units)},
      {"leader_imbalance", number(roles.leader_imbalance)},
      {"leaders_per_unit", fmt::format("{}", roles.max_leaders_per_unit)},
      {"conflicts", multi ? fmt::format("{}", conv.conflicts) : ""},
      {"lost_updates", multi ? fmt::format("{}", conv.lost_updates) : ""},
      {"convergence_p50_ms", multi ? number(percentile(conv.lag_ms, 50)) : ""},
      {"convergence_p99_ms", multi ? number(percentile(conv.lag_ms, 99)) : ""},
      {"throughput_writes_per_s", number(ratio(static_cast<double>(m.writes_ok), cluster_->clock()))},
      {"busiest_node", busiest >= 0 ? fmt::format("{}", busiest) : ""},
      {"busiest_node_utilization", busiest >= 0 ? number(loads_[static_cast<std::size_t>(busiest)].busy_fraction) : ""},
      {"sim_time_s", number(cluster_->clock())},
      {"wall_s", number(wall_s)},
      {"seed", fmt::format("{}", c.seed)},
  };
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

}  // namespace replisim
