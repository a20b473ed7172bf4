#include "actors/cluster.hpp"

#include <deque>
#include <fstream>
#include <unordered_set>

#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>

#include "actors/engine_args.hpp"
#include "actors/machine_actor.hpp"

namespace replisim {

struct Cluster::Impl {
  Impl(DelayModel delays, std::uint64_t delay_seed) : network(std::move(delays), delay_seed) {}

  std::unique_ptr<sg4::Engine> engine;
  MessageSizes sizes;
  std::vector<sg4::Host*> node_hosts;
  std::vector<sg4::Host*> client_hosts;
  Network network;
  std::deque<MachineDriver> drivers;  // stable addresses: couriers and actors hold them
  std::deque<Traffic> client_traffic;  // clients' own traffic is not reported; a deque keeps references stable
  std::vector<sg4::Host*> hosts_in_file_order;
  std::unordered_set<sg4::Host*> hosts_seen;
  bool deadlocked = false;
  int clients = 0;
  int clients_done = 0;
  std::function<bool()> quiescent;  // set: drain after the clients
  double drain_poll_s = 0;
  sg4::SemaphorePtr clients_finished = sg4::Semaphore::create(0);

  sg4::Host* client_host(ClientId c) const
  {
    const auto& pool = client_hosts.empty() ? node_hosts : client_hosts;
    return pool.at(static_cast<std::size_t>(c) % pool.size());
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
  sg4::Engine::on_deadlock_cb([impl = impl_.get()] { impl->deadlocked = true; });
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

void Cluster::add_node(NodeId id, StateMachine& machine, Traffic& traffic)
{
  add_machine(Address::node(id), impl_->node_hosts.at(id), machine, traffic, [] { return true; });
}

void Cluster::add_client(ClientId id, ClientMachine& machine, CompletionSink sink)
{
  while (impl_->client_traffic.size() <= static_cast<std::size_t>(id))
    impl_->client_traffic.emplace_back();
  ++impl_->clients;
  auto drain = [&machine, sink = std::move(sink), impl = impl_.get(), counted = false]() mutable {
    for (const Completion& c : machine.take_completed())
      sink(c);
    if (machine.done() && !counted) {
      counted = true;
      if (++impl->clients_done == impl->clients)
        impl->clients_finished->release();
    }
    return !machine.done();
  };
  add_machine(Address::client(id), impl_->client_host(id), machine, impl_->client_traffic[static_cast<std::size_t>(id)],
              std::move(drain));
}

void Cluster::add_machine(Address self, sg4::Host* host, StateMachine& machine, Traffic& traffic,
                          std::function<bool()> after_input)
{
  MachineDriver& driver =
      impl_->drivers.emplace_back(machine, self, impl_->network, impl_->sizes, traffic, std::move(after_input));
  impl_->network.attach(self, host, [&driver](const Envelope& m) { driver.deliver(m); });
  if (!host->is_on())
    return;  // a node that is down runs nothing
  const std::string name = (self.is_node() ? "node" : "client") + std::to_string(self.index);
  auto actor = sg4::Actor::create(name, host, [&driver] { driver.run(); });
  if (self.is_node())
    actor->daemonize();  // the run ends when the last client is done
}

void Cluster::drain_after_clients(std::function<bool()> quiescent, double poll_s)
{
  impl_->quiescent = std::move(quiescent);
  impl_->drain_poll_s = poll_s;
}

void Cluster::run()
{
  if (impl_->quiescent && impl_->clients > 0) {
    // Not a daemon: it keeps the simulation alive until replication is done.
    sg4::Actor::create("drain", impl_->client_host(0), [impl = impl_.get()] {
      impl->clients_finished->acquire();
      while (!impl->network.idle() || !impl->quiescent())
        sg4::this_actor::sleep_for(impl->drain_poll_s);
    });
  }
  impl_->engine->run();
  if (impl_->deadlocked)
    throw std::runtime_error("the simulation deadlocked: a client waited for a reply that never came");
}

double Cluster::clock() const { return sg4::Engine::get_clock(); }

}  // namespace replisim
