// replisim's library API (api/replisim.hpp) over its own pieces: the run's
// flags parsed as the command line parses them, a Cluster on the caller's
// hosts, a Datastore, and blocking clients.
#include "replisim/replisim.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <stdexcept>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "actors/activity.hpp"
#include "actors/blocking_client.hpp"
#include "actors/cluster.hpp"
#include "actors/deployment_actors.hpp"
#include "experiments/core/datastore.hpp"
#include "experiments/core/flag_value.hpp"
#include "experiments/core/run_flags.hpp"
#include "experiments/core/report.hpp"
#include "protocols/common/rng.hpp"
#include "protocols/client/workload.hpp"

namespace replisim {

namespace {

constexpr std::uint64_t kDelayStream = (1u << 20) + 2;  // as a `replisim run` draws them
constexpr std::uint64_t kLibraryClientStreams = 1u << 22;

// The settings as `replisim run` flags, parsed and checked the same way.
RunConfig parse_settings(const Settings& settings)
{
  RunConfig config;
  CLI::App app;
  add_run_flags(app, config);
  // A flag given twice takes its last value.
  std::map<std::string, std::string> last;
  for (const auto& [name, value] : settings)
    last[name] = value;
  std::vector<std::string> args;
  for (const auto& [name, value] : last)
    args.push_back(fmt::format("--{}={}", name, value));
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    throw std::invalid_argument(e.what());
  }
  config.check();
  return config;
}

OpResult result_of(const Completion& op)
{
  OpResult r;
  r.outcome = op.outcome == Outcome::ok ? OpOutcome::ok : op.outcome == Outcome::failed ? OpOutcome::failed
                                                                                         : OpOutcome::timeout;
  r.latency_s = op.end - op.start;
  r.version = op.version;
  r.acks = op.acks;
  r.node = op.coordinator;
  return r;
}

class Client final : public StoreClient {
public:
  template <typename... Args>
  explicit Client(Args&&... args) : client_(std::forward<Args>(args)...)
  {
  }
  OpResult write(std::uint64_t key) override { return result_of(client_.call(OpKind::write, key)); }
  OpResult read(std::uint64_t key) override { return result_of(client_.call(OpKind::read, key)); }
  BlockingClient& blocking() { return client_; }

private:
  BlockingClient client_;
};

}  // namespace

struct Store::Impl {
  Impl(std::vector<NodeHost> nodes, const RunConfig& c)
      : config(c), sizes{64, c.value_bytes},
        cluster(std::move(nodes), {}, sizes, c.delay_model, derive_seed(c.seed, kDelayStream)),
        datastore(config, cluster)
  {
    cluster.keep_running_after_clients();
    datastore.watch_outstanding([this] {
      Time oldest = kNever;
      for (Client& client : clients)
        oldest = std::min(oldest, client.blocking().oldest_outstanding());
      return oldest;
    });
    in_maestro([this] { cluster.start(); });
  }

  RunConfig config;
  MessageSizes sizes;
  Cluster cluster;
  Datastore datastore;
  std::deque<Client> clients;  // a deque: the network holds references
  std::map<simgrid::s4u::Host*, Client*> by_host;
};

Store::Store(const std::vector<simgrid::s4u::Host*>& nodes, const Settings& settings)
{
  if (nodes.empty())
    throw std::invalid_argument("replisim::Store: no node host");
  std::vector<NodeHost> hosts;
  for (auto* h : nodes)
    hosts.push_back({h});
  impl_ = naming_flags([&] { return std::make_unique<Impl>(std::move(hosts), parse_settings(settings)); });
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() = default;

struct StoreFactory {
  static std::unique_ptr<Store> make(std::vector<NodeHost> nodes, const RunConfig& config)
  {
    return naming_flags(
        [&] { return std::unique_ptr<Store>(new Store(std::make_unique<Store::Impl>(std::move(nodes), config))); });
  }
};

StoreClient& Store::client(simgrid::s4u::Host* host)
{
  if (auto it = impl_->by_host.find(host); it != impl_->by_host.end())
    return *it->second;
  const auto id = static_cast<ClientId>(impl_->clients.size());
  impl_->cluster.place_client(id, {host});
  Client& client = naming_flags([&]() -> Client& {
    return impl_->clients.emplace_back(
        id, impl_->cluster.network(), impl_->sizes, impl_->datastore.placement(), impl_->datastore.router(id),
        impl_->config.timeout_s, derive_seed(impl_->config.seed, kLibraryClientStreams + static_cast<std::uint64_t>(id)),
        [this](const Completion& op) { impl_->datastore.record(op); });
  });
  impl_->cluster.add_endpoint(id, client.blocking());
  impl_->by_host.emplace(host, &client);
  return client;
}

Report Store::report()
{
  Datastore& d = impl_->datastore;
  d.finish(impl_->cluster.clock());
  const SummaryRow summary = summary_row(d, 0);
  const auto number = [&](const char* column) {
    const std::string v = summary_value(summary, column);
    return v.empty() ? std::nan("") : std::stod(v);
  };
  Report r;
  r.writes_ok = d.metrics().writes_ok;
  r.writes_failed = d.metrics().writes_failed;
  r.writes_timed_out = d.metrics().writes_timed_out;
  r.reads_ok = d.metrics().reads_ok;
  r.write_p50_ms = number("write_p50_ms");
  r.write_p99_ms = number("write_p99_ms");
  r.throughput_writes_per_s = number("throughput_writes_per_s");
  r.leader_is_primary_fraction = number("leader_is_primary_fraction");
  const auto roles = d.role_graph().per_node();
  for (std::size_t n = 0; n < roles.size(); ++n) {
    const HostInfo& h = d.cluster().nodes()[n];
    r.nodes.push_back({h.name, h.zone, roles[n].primary_units, roles[n].replica_units, roles[n].leader_units,
                       roles[n].follower_units, d.nodes()[n]->counters().writes_led, d.loads()[n].busy_fraction});
  }
  r.summary_csv = summary_csv(summary);
  r.roles_csv = roles_csv(d);
  return r;
}

namespace {

// What a deployment file placed (one engine per process, so one of these).
struct Deployed {
  Settings settings;                   // the nodes' props, then the program's (which win)
  RunConfig config;
  std::vector<NodeHost> nodes;
  std::vector<simgrid::s4u::Host*> clients;
  std::unique_ptr<Store> store;
  std::size_t clients_started = 0;
};

// Never destroyed: the engine it runs on is gone by the time statics are.
Deployed& deployed()
{
  static Deployed* d = new Deployed;
  return *d;
}

Store& ensure_store()
{
  Deployed& d = deployed();
  if (!d.store) {
    d.config = parse_settings(d.settings);
    d.store = StoreFactory::make(d.nodes, d.config);
  }
  return *d.store;
}

// A deployment's client: its share of the workload, one operation at a time.
void run_workload(std::size_t index)
{
  Deployed& d = deployed();
  Store& store = ensure_store();
  const RunConfig& c = d.config;
  const std::uint64_t n = d.clients.size();
  const std::uint64_t ops = c.ops / n + (index < c.ops % n ? 1 : 0);
  StoreClient& client = store.client(d.clients.at(index));
  const Workload workload(KeyChooser(c.key_distribution, c.keys), c.read_ratio);
  Rng rng(derive_seed(c.seed, static_cast<std::uint64_t>(index)));
  for (std::uint64_t i = 0; i < ops; ++i) {
    const OpRequest op = workload.next(rng);
    if (op.kind == OpKind::write)
      client.write(op.key);
    else
      client.read(op.key);
  }
}

}  // namespace

void register_actors(simgrid::s4u::Engine& engine, const Settings& settings)
{
  deployed().settings = settings;
  DeploymentHooks hooks;
  hooks.start = [](const std::vector<PlacedActor>& nodes, const std::vector<PlacedActor>& clients) {
    Deployed& d = deployed();
    for (const PlacedActor& a : nodes) {
      NodeHost node{a.host};
      for (const auto& [name, value] : a.props) {
        if (name == "zone")
          node.zone = value;
        else if (name == "threads")
          node.threads = std::stoi(value);
        else
          d.settings.emplace(d.settings.begin(), name, value);  // before the program's: they win
      }
      d.nodes.push_back(node);
    }
    for (const PlacedActor& a : clients)
      d.clients.push_back(a.host);
    ensure_store();
  };
  hooks.client_body = run_workload;
  register_replisim_actors(engine, std::move(hooks));
}

Store* deployed_store() { return deployed().store.get(); }

}  // namespace replisim
