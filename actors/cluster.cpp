#include "actors/cluster.hpp"

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <unordered_set>

#include <simgrid/Exception.hpp>
#include <fmt/format.h>
#include <simgrid/s4u.hpp>

#include "actors/engine_args.hpp"

namespace replisim {

struct Cluster::Impl final : TimerListener {
  Impl(DelayModel delays, std::uint64_t delay_seed) : network(timers, std::move(delays), delay_seed) {}

  std::unique_ptr<sg4::Engine> engine;
  MessageSizes sizes;
  std::vector<sg4::Host*> node_hosts;
  std::vector<sg4::Host*> client_hosts;
  TimerQueue timers;
  Network network;
  std::deque<NodeServer> servers;     // deques: the network and timers hold references
  std::deque<ClientDriver> clients;
  std::deque<Traffic> client_traffic;  // clients' own traffic is not reported
  std::vector<sg4::Host*> hosts_in_file_order;
  std::unordered_set<sg4::Host*> hosts_seen;
  int clients_done = 0;
  std::function<bool()> quiescent;  // set: drain after the clients
  double drain_poll_s = 0;
  bool finished = false;
  double end_s = 0;

  sg4::Host* client_host(ClientId c) const
  {
    const auto& pool = client_hosts.empty() ? node_hosts : client_hosts;
    return pool.at(static_cast<std::size_t>(c) % pool.size());
  }

  void client_done()
  {
    if (++clients_done == static_cast<int>(clients.size()))
      drain_or_finish();
  }

  // Ends the run once nothing is left to replicate: no message in flight, no
  // node at work, and the model's own condition.
  void drain_or_finish()
  {
    const bool at_rest = network.idle() && std::all_of(servers.begin(), servers.end(),
                                                       [](const NodeServer& s) { return s.idle(); });
    if (!quiescent || (at_rest && quiescent()))
      finish();
    else
      timers.set(sg4::Engine::get_clock() + drain_poll_s, *this, 0);
  }
  void timer_fired(std::uint64_t, std::uint64_t) override { drain_or_finish(); }

  // Stops everything still in flight, so that the engine returns now.
  void finish()
  {
    finished = true;
    end_s = sg4::Engine::get_clock();
    timers.stop();
    network.stop();
    for (NodeServer& s : servers)
      s.stop();
  }
};

namespace {

// SimGrid wants a mutable argc/argv that outlives the engine's parsing.
std::unique_ptr<sg4::Engine> make_engine(const std::vector<std::string>& user_args)
{
  static std::vector<std::string> storage;
  storage = {"replisim"};
  for (const auto& a : default_engine_args())
    storage.push_back(a);
  storage.insert(storage.end(), user_args.begin(), user_args.end());
  static std::vector<char*> argv;
  argv.clear();
  for (auto& s : storage)
    argv.push_back(s.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(storage.size());
  return std::make_unique<sg4::Engine>(&argc, argv.data());
}

double route_latency(const sg4::Host* from, const sg4::Host* to)
{
  if (from == to)
    return 0;
  std::vector<sg4::Link*> links;
  double latency = 0;
  from->route_to(to, links, &latency);
  return latency;
}

HostInfo info_of(const sg4::Host* host) { return {host->get_name(), host->get_englobing_zone()->get_name()}; }

}  // namespace

Cluster::Cluster(const std::vector<std::string>& engine_args, MessageSizes sizes, DelayModel delays,
                 std::uint64_t delay_seed)
    : impl_(std::make_unique<Impl>(std::move(delays), delay_seed))
{
  impl_->engine = make_engine(engine_args);
  impl_->sizes = sizes;
}

Cluster::~Cluster() = default;

void Cluster::load_platform(const std::string& path)
{
  if (!std::ifstream(path).good())
    throw PlatformError("cannot read platform file '" + path + "'");
  // Hosts in the file's order: the engine lists them by name. The creation
  // signal fires once while parsing (file order) and again when sealing.
  auto& in_file_order = impl_->hosts_in_file_order;
  sg4::Host::on_creation_cb([impl = impl_.get()](sg4::Host& h) {
    if (impl->hosts_seen.insert(&h).second)
      impl->hosts_in_file_order.push_back(&h);
  });
  try {
    impl_->engine->load_platform(path);
    impl_->engine->seal_platform();  // routes are only known once sealed
  } catch (const std::exception& e) {
    throw PlatformError(std::string("platform file '") + path + "': " + e.what());
  }

  const bool any_role = std::any_of(in_file_order.begin(), in_file_order.end(),
                                    [](const sg4::Host* h) { return h->get_property("role") != nullptr; });
  for (sg4::Host* h : in_file_order) {
    const char* role = h->get_property("role");
    const bool client = any_role ? (role != nullptr && std::string(role) == "client")
                                 : h->get_name().starts_with("client");
    const bool node = any_role ? (role != nullptr && std::string(role) == "node") : !client;
    if (client)
      impl_->client_hosts.push_back(h);
    else if (node)
      impl_->node_hosts.push_back(h);
  }
  if (impl_->node_hosts.empty())
    throw PlatformError("platform file '" + path + "' has no datastore node host");
  for (const auto* h : impl_->node_hosts)
    node_info_.push_back(info_of(h));
  for (const auto* h : impl_->client_hosts)
    client_info_.push_back(info_of(h));
}

void Cluster::use_only_nodes(int count)
{
  impl_->node_hosts.resize(static_cast<std::size_t>(count));
  node_info_.resize(static_cast<std::size_t>(count));
}

void Cluster::scale_latencies(double factor)
{
  for (sg4::Link* link : impl_->engine->get_all_links())
    link->set_latency(link->get_latency() * factor);
}

void Cluster::turn_off_node(NodeId id) { impl_->node_hosts.at(id)->turn_off(); }

const HostInfo& Cluster::host_of_client(ClientId c) const
{
  const auto& pool = client_info_.empty() ? node_info_ : client_info_;
  return pool.at(static_cast<std::size_t>(c) % pool.size());
}

double Cluster::latency_node_to_node(NodeId a, NodeId b) const
{
  return route_latency(impl_->node_hosts.at(a), impl_->node_hosts.at(b));
}

double Cluster::latency_client_to_node(ClientId c, NodeId n) const
{
  return route_latency(impl_->client_host(c), impl_->node_hosts.at(n));
}

int Cluster::threads_of(NodeId id, int fallback) const
{
  const sg4::Host* host = impl_->node_hosts.at(id);
  const char* value = host->get_property("threads");
  if (value == nullptr)
    return fallback;
  char* end = nullptr;
  const long threads = std::strtol(value, &end, 10);
  if (*value == '\0' || *end != '\0' || threads < 1 || threads > 4096)
    throw PlatformError(fmt::format("host '{}': property threads='{}' is not a whole number in [1, 4096]",
                                    host->get_name(), value));
  return static_cast<int>(threads);
}

void Cluster::require_disks() const
{
  for (const sg4::Host* h : impl_->node_hosts)
    if (h->get_disks().empty())
      throw PlatformError(fmt::format("--sync-writes: node host '{}' has no <disk> to write to", h->get_name()));
}

void Cluster::add_node(NodeId id, StateMachine& machine, Traffic& traffic, const ServerSettings& settings,
                       std::uint64_t service_seed)
{
  if (static_cast<std::size_t>(id) != impl_->servers.size())
    throw std::logic_error("Cluster::add_node: nodes are added in order");
  sg4::Host* host = impl_->node_hosts.at(id);
  NodeServer& server = impl_->servers.emplace_back(machine, id, host, impl_->network, impl_->timers, impl_->sizes,
                                                   traffic, settings, threads_of(id, settings.threads), service_seed);
  impl_->network.attach(Address::node(id), host, server);
}

void Cluster::add_client(ClientId id, ClientMachine& machine, CompletionSink sink)
{
  if (static_cast<std::size_t>(id) != impl_->clients.size())
    throw std::logic_error("Cluster::add_client: clients are added in order");
  Traffic& traffic = impl_->client_traffic.emplace_back();
  ClientDriver& driver = impl_->clients.emplace_back(machine, Address::client(id), impl_->network, impl_->timers,
                                                     impl_->sizes, traffic, std::move(sink),
                                                     [impl = impl_.get()] { impl->client_done(); });
  impl_->network.attach(Address::client(id), impl_->client_host(id), driver);
}

void Cluster::drain_after_clients(std::function<bool()> quiescent, double poll_s)
{
  impl_->quiescent = std::move(quiescent);
  impl_->drain_poll_s = poll_s;
}

void Cluster::run()
{
  // Time 0: every machine takes its start input, nodes first (a node that is
  // down runs nothing), then clients.
  for (std::size_t n = 0; n < impl_->servers.size(); ++n)
    if (impl_->node_hosts[n]->is_on())
      impl_->servers[n].start();
  for (ClientDriver& c : impl_->clients)
    c.start();
  if (impl_->clients.empty())
    impl_->finish();
  impl_->engine->run();
  release_ended_activities();
  if (!impl_->finished)
    throw std::runtime_error("the simulation ended before every client was done: a reply never came");
}

double Cluster::clock() const { return impl_->finished ? impl_->end_s : sg4::Engine::get_clock(); }

const NodeLoad& Cluster::load_of(NodeId id) const { return impl_->servers.at(static_cast<std::size_t>(id)).load(); }

}  // namespace replisim
