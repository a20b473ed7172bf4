#include "experiments/experiment.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "experiments/models/registry.hpp"
#include "experiments/output_file.hpp"
#include "experiments/report.hpp"
#include "platforms/star_platform.hpp"
#include "protocols/rng.hpp"

namespace replisim {

namespace {

constexpr std::uint64_t kDelayStream = (1u << 20) + 2;  // past every client's stream
constexpr std::uint64_t kServiceStreams = 1u << 21;     // node n draws its costs from stream kServiceStreams + n
constexpr double kDrainPoll = 0.001;  // seconds: how often the end of an asynchronous run checks for quiet

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

// Zone indices of the nodes, in order of first appearance; their names in `names`.
std::vector<int> zone_indices(const Cluster& cluster, std::vector<std::string>& names)
{
  std::vector<int> zone;
  for (const HostInfo& h : cluster.nodes()) {
    auto it = std::find(names.begin(), names.end(), h.zone);
    if (it == names.end())
      it = names.insert(names.end(), h.zone);
    zone.push_back(static_cast<int>(it - names.begin()));
  }
  return zone;
}

}  // namespace

Experiment::Experiment(RunConfig config) : config_(std::move(config))
{
  config_.check();
  cluster_ = std::make_unique<Cluster>(config_.engine_args, MessageSizes{64, config_.value_bytes}, config_.delay_model,
                                       derive_seed(config_.seed, kDelayStream));
  load_platform();
  deploy();
}

Experiment::~Experiment() = default;

void Experiment::load_platform()
{
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
}

void Experiment::deploy()
{
  membership_ = Membership::all_up(zone_indices(*cluster_, zones_));
  for (const std::string& host : config_.down) {
    const auto& all = cluster_->nodes();
    auto it = std::find_if(all.begin(), all.end(), [&](const HostInfo& h) { return h.name == host; });
    if (it == all.end())
      throw std::invalid_argument(fmt::format("--down: no node host '{}'", host));
    membership_.alive[static_cast<std::size_t>(it - all.begin())] = false;
  }
  const ModelContext context{config_, config_.params, *cluster_, membership_, zones_};
  model_ = models().get(config_.model).deploy(context);
  for (NodeId n = 0; n < membership_.node_count(); ++n) {
    nodes_.push_back(model_->make_node(n));
    if (!membership_.alive[n])
      cluster_->turn_off_node(n);
  }
  for (ClientId c = 0; c < config_.clients; ++c)
    routers_.push_back(model_->make_router(c));
}

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
    cc.seed = derive_seed(config_.seed, static_cast<std::uint64_t>(c));
    clients_.push_back(std::make_unique<ClientMachine>(cc, placement(), *routers_[c], workload));
    if (cc.ops > 0)
      cluster_->add_client(c, *clients_.back(), [this](const Completion& op) {
        metrics_->record(op);
        model_->on_completion(op);
      });
  }
}

void Experiment::run()
{
  const auto wall_start = std::chrono::steady_clock::now();
  RunOutputs outputs(config_);
  metrics_ = std::make_unique<OpMetrics>(outputs.ops_stream(), [this] {
    Time oldest = kNever;
    for (const auto& client : clients_)
      oldest = std::min(oldest, client->oldest_outstanding());
    return oldest;
  });

  traffic_.assign(nodes_.size(), Traffic{});
  for (NodeId n = 0; n < static_cast<NodeId>(nodes_.size()); ++n)
    cluster_->add_node(n, *nodes_[n], traffic_[n], server_settings_,
                       derive_seed(config_.seed, kServiceStreams + static_cast<std::uint64_t>(n)));
  add_clients();
  if (auto quiescent = model_->quiescent())
    cluster_->drain_after_clients(std::move(quiescent), kDrainPoll);

  cluster_->run();
  model_->after_run();
  metrics_->finish();
  for (NodeId n = 0; n < static_cast<NodeId>(nodes_.size()); ++n)
    loads_.push_back(summarise_load(cluster_->load_of(n), cluster_->clock()));
  wall_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  summary_ = summary_row(*this);
  outputs.commit(*this);
}

RoleGraph Experiment::role_graph() const
{
  const UnitRoles roles = model_->roles();
  return RoleGraph(placement(), roles.primaries, roles.leaders);
}

std::string placement_csv(const Experiment& e)
{
  std::string csv = "unit,leader,replicas\n";
  const UnitRoles roles = e.model().roles();
  for (UnitId u = 0; u < e.placement().unit_count(); ++u) {
    const auto& leaders = roles.leaders.at(static_cast<std::size_t>(u));
    csv += fmt::format("{},{},{}\n", u, leaders.empty() ? std::string() : fmt::format("{}", fmt::join(leaders, ";")),
                       fmt::join(e.placement().replicas(u), ";"));
  }
  return csv;
}

}  // namespace replisim
