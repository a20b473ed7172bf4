#include "actors/cluster.hpp"

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <unordered_set>

#include <simgrid/Exception.hpp>
#include <fmt/format.h>
#include <simgrid/s4u.hpp>


namespace replisim {

struct Cluster::Impl final : TimerListener {
  Impl(DelayModel delays, std::uint64_t delay_seed) : network(timers, std::move(delays), delay_seed) {}

  MessageSizes sizes;
  std::vector<NodeHost> nodes;
  std::vector<sg4::Host*> client_hosts;
  std::vector<sg4::Host*> placed_clients;  // by client id; null: round-robin
  TimerQueue timers;
  Network network;
  std::deque<NodeServer> servers;     // deques: the network and timers hold references
  std::deque<ClientDriver> clients;
  std::deque<Traffic> client_traffic;  // clients' own traffic is not reported
  int clients_done = 0;
  std::function<bool()> quiescent;  // set: drain after the clients
  double drain_poll_s = 0;
  bool end_with_clients = true;
  bool finished = false;
  double end_s = 0;

  sg4::Host* client_host(ClientId c) const
  {
    const auto i = static_cast<std::size_t>(c);
    if (i < placed_clients.size() && placed_clients[i] != nullptr)
      return placed_clients[i];
    if (client_hosts.empty())
      return nodes.at(i % nodes.size()).host;
    return client_hosts.at(i % client_hosts.size());
  }

  void client_done()
  {
    if (++clients_done == static_cast<int>(clients.size()) && end_with_clients)
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

double route_latency(const sg4::Host* from, const sg4::Host* to)
{
  if (from == to)
    return 0;
  std::vector<sg4::Link*> links;
  double latency = 0;
  from->route_to(to, links, &latency);
  return latency;
}

}  // namespace

Cluster::Cluster(std::vector<NodeHost> nodes, std::vector<sg4::Host*> clients, MessageSizes sizes, DelayModel delays,
                 std::uint64_t delay_seed)
    : impl_(std::make_unique<Impl>(std::move(delays), delay_seed))
{
  impl_->sizes = sizes;
  impl_->client_hosts = std::move(clients);
  for (NodeHost& n : nodes) {
    if (n.zone.empty())
      n.zone = n.host->get_englobing_zone()->get_name();
    node_info_.push_back({n.host->get_name(), n.zone});
  }
  impl_->nodes = std::move(nodes);
}

Cluster::~Cluster() = default;

const std::string& Cluster::unreachable() const { return impl_->network.unreachable(); }

void Cluster::turn_off_node(NodeId id) { impl_->nodes.at(id).host->turn_off(); }

HostInfo Cluster::host_of_client(ClientId c) const
{
  const sg4::Host* h = impl_->client_host(c);
  return {h->get_name(), h->get_englobing_zone()->get_name()};
}

void Cluster::place_client(ClientId c, sg4::Host* host)
{
  if (impl_->placed_clients.size() <= static_cast<std::size_t>(c))
    impl_->placed_clients.resize(static_cast<std::size_t>(c) + 1, nullptr);
  impl_->placed_clients[static_cast<std::size_t>(c)] = host;
}

double Cluster::latency_node_to_node(NodeId a, NodeId b) const
{
  return route_latency(impl_->nodes.at(a).host, impl_->nodes.at(b).host);
}

double Cluster::latency_client_to_node(ClientId c, NodeId n) const
{
  return route_latency(impl_->client_host(c), impl_->nodes.at(n).host);
}

int Cluster::threads_of(NodeId id, int fallback) const
{
  const NodeHost& node = impl_->nodes.at(id);
  if (node.threads > 0)
    return node.threads;
  const sg4::Host* host = node.host;
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
  for (const NodeHost& n : impl_->nodes)
    if (n.host->get_disks().empty())
      throw PlatformError(fmt::format("--sync-writes: node host '{}' has no <disk> to write to", n.host->get_name()));
}

void Cluster::add_node(NodeId id, StateMachine& machine, Traffic& traffic, const ServerSettings& settings,
                       std::uint64_t service_seed)
{
  if (static_cast<std::size_t>(id) != impl_->servers.size())
    throw std::logic_error("Cluster::add_node: nodes are added in order");
  sg4::Host* host = impl_->nodes.at(id).host;
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

void Cluster::add_endpoint(ClientId id, Receiver& endpoint)
{
  impl_->network.attach(Address::client(id), impl_->client_host(id), endpoint);
}

Network& Cluster::network() { return impl_->network; }

void Cluster::start()
{
  for (std::size_t n = 0; n < impl_->servers.size(); ++n)
    if (impl_->nodes[n].host->is_on())
      impl_->servers[n].start();
  for (ClientDriver& c : impl_->clients)
    c.start();
  if (impl_->clients.empty() && impl_->end_with_clients)
    impl_->drain_or_finish();
}

bool Cluster::finished() const { return impl_->finished; }

void Cluster::keep_running_after_clients() { impl_->end_with_clients = false; }

void Cluster::stop()
{
  if (!impl_->finished)
    impl_->finish();
}

double Cluster::clock() const { return impl_->finished ? impl_->end_s : sg4::Engine::get_clock(); }

const NodeLoad& Cluster::load_of(NodeId id) const { return impl_->servers.at(static_cast<std::size_t>(id)).load(); }

}  // namespace replisim
