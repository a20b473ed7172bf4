#include "experiments/core/experiment.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <simgrid/s4u/Engine.hpp>

#include "actors/activity.hpp"
#include "actors/deployment_actors.hpp"
#include "actors/deployment_file.hpp"
#include "actors/engine_setup.hpp"
#include "actors/platform_check.hpp"
#include "actors/star.hpp"
#include "experiments/core/fault_file.hpp"
#include "experiments/core/run_checks.hpp"
#include "platforms/star_platform.hpp"
#include "protocols/common/rng.hpp"

namespace replisim {

namespace {

constexpr std::uint64_t kDelayStream = (1u << 20) + 2;  // past every client's stream
constexpr std::uint64_t kFaultStream = (1u << 20) + 4;
constexpr double kDrainPoll = 0.001;  // seconds: how often the end of an asynchronous run checks for quiet

struct RunHosts {
  std::vector<NodeHost> nodes;
  std::vector<ClientHost> clients;
  std::string source;  // for errors: the file they come from
};

RunHosts from_platform(const PlatformHosts& hosts, const std::string& source)
{
  RunHosts run{{}, {}, source};
  for (auto* h : hosts.nodes)
    run.nodes.push_back({h});
  for (auto* h : hosts.clients)
    run.clients.push_back({h});
  return run;
}

// The hosts a deployment file names; its replisim actors are created too,
// as a SimGrid user's own load_deployment would create them.
RunHosts from_deployment(simgrid::s4u::Engine& engine, const std::string& path)
{
  const DeploymentFile file = read_deployment_file(path);
  check_hosts(file, engine);
  register_replisim_actors(engine, {});
  try {
    engine.load_deployment(path);
  } catch (const std::exception& e) {
    throw PlatformError(fmt::format("deployment file '{}': {}", path, e.what()));
  }
  RunHosts run{{}, {}, path};
  for (const DeployedActor& a : file.nodes)
    run.nodes.push_back({engine.host_by_name(a.host), a.zone, a.threads});
  for (const DeployedActor& a : file.clients)
    run.clients.push_back({engine.host_by_name(a.host), a.zone});
  return run;
}

// The run's node and client hosts: the generated star, the platform file's,
// or the deployment file's (the first --nodes nodes, when given).
RunHosts run_hosts(simgrid::s4u::Engine& engine, RunConfig& config)
{
  if (config.platform.empty()) {
    if (!config.deployment.empty())
      throw std::invalid_argument("--deployment: needs --platform, the platform whose hosts it names");
    return from_platform(build_star(engine, config.star()), "the generated star");
  }
  const PlatformHosts platform = load_platform(engine, config.platform);
  RunHosts hosts = config.deployment.empty() ? from_platform(platform, "'" + config.platform + "'")
                                             : from_deployment(engine, config.deployment);
  const int available = static_cast<int>(hosts.nodes.size());
  if (available == 0)
    throw PlatformError("platform file '" + config.platform + "' has no datastore node host");
  if (config.nodes_given) {
    if (config.nodes > available)
      throw std::invalid_argument(
          fmt::format("--nodes: {} is more than the {} nodes of {}", config.nodes, available, hosts.source));
    hosts.nodes.resize(static_cast<std::size_t>(config.nodes));
  }
  config.nodes = static_cast<int>(hosts.nodes.size());
  if (!config.deployment.empty() && !config.clients_given && !hosts.clients.empty())
    config.clients = static_cast<int>(hosts.clients.size());
  return hosts;
}

// A model whose replication outlives the clients runs until its live nodes
// agree: a cut that never heals would keep it running for ever.
void require_healing(const FaultPlan& plan, const std::string& file)
{
  // Healing after a day: the run would resend for as long (every second),
  // a day taking minutes of wall time, 100,000 hours more than a day.
  constexpr Time kLatestHeal = 86'400;
  for (const auto& p : plan.partitions)
    if (p.until != kNever && p.until > kLatestHeal)
      throw std::invalid_argument(fmt::format("--faults: {}: a partition healing after a day keeps this model, which "
                                              "runs until its leaders agree, resending for as long; heal it within a "
                                              "day",
                                              p.where.empty() ? file : p.where));
  for (const auto& l : plan.links)
    if (l.up != kNever && l.up > kLatestHeal)
      throw std::invalid_argument(fmt::format("--faults: {}: a link up after a day keeps this model, which runs until "
                                              "its leaders agree, resending for as long; bring it up within a day",
                                              l.where.empty() ? file : l.where));
  for (const auto& p : plan.partitions)
    if (p.until == kNever)
      throw std::invalid_argument(fmt::format("--faults: {}: a partition without `until` never heals, and this model "
                                              "runs until its leaders agree",
                                              p.where.empty() ? file : p.where));
  for (const auto& l : plan.links)
    if (l.up == kNever)
      throw std::invalid_argument(fmt::format("--faults: {}: a link without `up` never heals, and this model runs "
                                              "until its leaders agree",
                                              l.where.empty() ? file : l.where));
}

// A timeout no longer than the shortest round trip from a client to a node
// fails every operation: refused. (On platforms of more than 10^6 client–node
// pairs only the first client is looked at.)
void require_timeout_above_round_trip(const Cluster& cluster, const RunConfig& config)
{
  const int nodes = static_cast<int>(cluster.nodes().size());
  const int clients = static_cast<std::int64_t>(config.clients) * nodes > 1'000'000 ? 1 : config.clients;
  double shortest = kNever;
  for (ClientId c = 0; c < clients; ++c)
    for (NodeId n = 0; n < nodes; ++n)
      shortest = std::min(shortest, 2 * cluster.latency_client_to_node(c, n));
  if (config.timeout_s <= shortest)
    throw std::invalid_argument(fmt::format("--timeout: '{}' is not longer than the shortest round trip from a client "
                                            "to a node ({} ms): every operation would time out",
                                            config.timeout, shortest * 1e3));
}

// "most-leaders" picks the node leading the most units: a model whose units
// have no leader (leaderless) has none to crash.
void require_leaders_for_most_leaders(const FaultPlan& plan, const Model& model)
{
  for (const auto& c : plan.crashes) {
    if (!c.most_leaders)
      continue;
    const UnitRoles roles = model.roles();
    if (std::all_of(roles.leaders.begin(), roles.leaders.end(), [](const auto& l) { return l.empty(); }))
      throw std::invalid_argument(fmt::format("--faults: {}: node = \"most-leaders\", but this model's units have no "
                                              "leader (name a node or a host)",
                                              c.where));
  }
}

}  // namespace

Experiment::Experiment(RunConfig config) : config_(std::move(config))
{
  config_.check();
  check_run_inputs(config_);
  engine_ = create_engine(config_.engine_args);
  RunHosts hosts = run_hosts(*engine_, config_);
  if (config_.latency_scale != 1.0)
    scale_latencies(*engine_, config_.latency_scale);
  // Pairs of hosts a platform file too big to check before the run (see
  // check_platform) are checked on their first message.
  const bool check_routes = !config_.platform.empty() && hosts.nodes.size() + hosts.clients.size() > kAllPairsHosts;
  cluster_ = std::make_unique<Cluster>(std::move(hosts.nodes), std::move(hosts.clients),
                                       MessageSizes{64, config_.value_bytes}, config_.delay_model,
                                       derive_seed(config_.seed, kDelayStream));
  cluster_->network().check_routes(check_routes);
  require_timeout_above_round_trip(*cluster_, config_);
  datastore_ = std::make_unique<Datastore>(config_, *cluster_);
  if (!config_.faults.empty()) {
    const FaultPlan plan = read_fault_file(config_.faults, derive_seed(config_.seed, kFaultStream));
    if (datastore_->model().quiescent())
      require_healing(plan, config_.faults);
    require_leaders_for_most_leaders(plan, datastore_->model());
    cluster_->schedule_faults(plan, [this] { return datastore_->leadership().most_leaders(); });
  }
}

Experiment::~Experiment() = default;

void Experiment::add_clients()
{
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
    cc.retries = datastore_->client_retries();
    cc.retry_backoff = config_.retry_backoff_s;
    if (const auto driver = datastore_->model().client_driver())
      cc.discovery = driver->discovery;
    cc.clock_offset = datastore_->model().client_clock_offset(c);
    cc.retry_backoff_max = config_.retry_backoff_max_s;
    cc.seed = derive_seed(config_.seed, static_cast<std::uint64_t>(c));
    clients_.push_back(std::make_unique<ClientMachine>(cc, placement(), datastore_->router(c), workload));
    if (cc.ops > 0)
      cluster_->add_client(c, *clients_.back(), [this](const Completion& op) {
        datastore_->record(op);
        progress_->op_done(op.end);
      });
  }
  datastore_->watch_outstanding([this] {
    Time oldest = kNever;
    for (const auto& client : clients_)
      oldest = std::min(oldest, client->oldest_outstanding());
    return oldest;
  });
}

void Experiment::run()
{
  const auto wall_start = std::chrono::steady_clock::now();
  RunOutputs outputs(config_);
  datastore_->write_ops_to(outputs.ops_stream());
  progress_ = std::make_unique<RunProgress>(std::cerr, isatty(STDERR_FILENO) == 1, config_.ops);
  add_clients();
  if (auto quiescent = datastore_->model().quiescent())
    cluster_->drain_after_clients(std::move(quiescent), kDrainPoll);
  cluster_->start();
  datastore_->started(0);
  engine_->run();
  progress_->end();
  release_ended_activities();
  if (!cluster_->unreachable().empty())
    throw PlatformError(fmt::format("platform file '{}': {}", config_.platform, cluster_->unreachable()));
  if (const auto& violation = datastore_->invariants().violation())
    throw InvariantViolation(*violation);
  if (!cluster_->finished())
    throw std::runtime_error("the simulation ended before every client was done: a reply never came");
  datastore_->finish(cluster_->clock());
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  summary_ = summary_row(*datastore_, wall_s);
  written_ = outputs.commit(*datastore_, summary_);
}

std::string placement_csv(const Datastore& d)
{
  std::string csv = "unit,leader,replicas\n";
  const UnitRoles roles = d.model().roles();
  for (UnitId u = 0; u < d.placement().unit_count(); ++u) {
    const auto& leaders = roles.leaders.at(static_cast<std::size_t>(u));
    csv += fmt::format("{},{},{}\n", u, leaders.empty() ? std::string() : fmt::format("{}", fmt::join(leaders, ";")),
                       fmt::join(d.placement().replicas(u), ";"));
  }
  return csv;
}

}  // namespace replisim
