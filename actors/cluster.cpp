#include "actors/cluster.hpp"

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <set>
#include <tuple>
#include <fstream>
#include <unordered_set>

#include <simgrid/Exception.hpp>
#include <fmt/format.h>
#include <simgrid/s4u.hpp>


namespace replisim {

namespace {
// One fault, done when its time comes.
struct FaultAction final : TimerListener {
  explicit FaultAction(std::function<void()> a) : act(std::move(a)) {}
  std::function<void()> act;
  void timer_fired(std::uint64_t, std::uint64_t) override { act(); }
};
}  // namespace

struct Cluster::Impl final : TimerListener {
  Impl(DelayModel delays, std::uint64_t delay_seed) : network(timers, std::move(delays), delay_seed) {}

  MessageSizes sizes;
  std::vector<NodeHost> nodes;
  std::vector<ClientHost> client_hosts;
  std::vector<ClientHost> placed_clients;  // by client id; no host: round-robin
  TimerQueue timers;
  Network network;
  std::deque<NodeServer> servers;     // deques: the network and timers hold references
  std::deque<ClientDriver> clients;
  std::deque<Traffic> client_traffic;  // clients' own traffic is not reported
  int clients_done = 0;
  std::function<bool()> quiescent;  // set: drain after the clients
  double drain_poll_s = 0;
  bool end_with_clients = true;
  ClusterObserver* observer = nullptr;
  std::deque<FaultAction> faults;      // scheduled on the timer queue
  std::vector<const FaultPlan::Partition*> cuts;  // partitions in force
  int links_down = 0;                             // links the fault plan turned off, not yet on
  void network_changed()
  {
    if (observer != nullptr)
      observer->network_changed(sg4::Engine::get_clock());
  }
  std::vector<int> pauses;  // per node: pauses in force (pauses that overlap end with the last)
  std::vector<std::uint64_t> crashes;  // per node: times it went down (a pause does not outlive one)
  FaultPlan plan;

  // A node's host went off or came back (a fault, or a state profile).
  void host_state_changed(const sg4::Host& host)
  {
    if (finished)
      return;
    const auto it = std::find_if(nodes.begin(), nodes.end(), [&](const NodeHost& n) { return n.host == &host; });
    if (it == nodes.end())
      return;
    const auto id = static_cast<NodeId>(it - nodes.begin());
    const Time now = sg4::Engine::get_clock();
    if (!host.is_on()) {
      pauses.at(id) = 0;  // a crash ends every pause of the node
      ++crashes.at(id);
      servers[id].crash();
      if (observer != nullptr)
        observer->node_down(id, now);
    } else {
      if (observer != nullptr)
        observer->node_up(id, now);
      servers[id].recover();
    }
    for (std::size_t m = 0; m < servers.size(); ++m)
      if (static_cast<NodeId>(m) != id && nodes[m].host->is_on())
        servers[m].membership_changed();
  }

  // Whether a partition in force stands between two endpoints.
  bool cut(Address a, Address b) const;
  std::string name_of(Address a) const { return a.is_node() ? nodes.at(a.index).host->get_name() : client_host(a.index)->get_name(); }
  std::string zone_of(Address a) const { return a.is_node() ? nodes.at(a.index).zone : client(a.index).zone; }
  bool finished = false;
  double end_s = 0;

  ClientHost client(ClientId c) const
  {
    const auto i = static_cast<std::size_t>(c);
    if (i < placed_clients.size() && placed_clients[i].host != nullptr)
      return placed_clients[i];
    if (client_hosts.empty())
      return {nodes.at(i % nodes.size()).host, nodes.at(i % nodes.size()).zone};
    return client_hosts.at(i % client_hosts.size());
  }
  sg4::Host* client_host(ClientId c) const { return client(c).host; }

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
    if (!quiescent || (at_rest && quiescent())) {
      finish();
      return;
    }
    // At rest, nothing changes before the next deadline (a fault healing, a
    // resend): the next look is then, not every poll in between, so that a
    // run waiting hours of simulated time for a partition to heal does not
    // take as many steps. With no deadline left nothing can change any more.
    const Time now = sg4::Engine::get_clock();
    const Time next = timers.next_deadline();
    if (at_rest && next == kNever)
      finish();
    else
      timers.set(at_rest && next > now + kFarDeadline ? next : now + drain_poll_s, *this, kDrainTimer);
  }
  static constexpr std::uint64_t kDrainTimer = 0;
  static constexpr double kFarDeadline = 0.01;  // seconds: nearer, the polls go on as before
  static constexpr std::uint64_t kStopTimer = 1;
  void timer_fired(std::uint64_t id, std::uint64_t) override
  {
    if (id == kStopTimer)
      finish();
    else
      drain_or_finish();
  }

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

// The clusters that hear of hosts going off and on: SimGrid's signal cannot
// be disconnected, so it is connected once and forwards to the clusters alive.
std::set<Cluster::Impl*>& watching()
{
  static std::set<Cluster::Impl*> clusters;
  static const bool connected = [] {
    sg4::Host::on_state_change_cb([](const sg4::Host& h) {
      for (Cluster::Impl* impl : std::set<Cluster::Impl*>(clusters))
        impl->host_state_changed(h);
    });
    return true;
  }();
  (void)connected;
  return clusters;
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

}  // namespace

Cluster::Cluster(std::vector<NodeHost> nodes, std::vector<ClientHost> clients, MessageSizes sizes, DelayModel delays,
                 std::uint64_t delay_seed)
    : impl_(std::make_unique<Impl>(std::move(delays), delay_seed))
{
  impl_->sizes = sizes;
  for (ClientHost& c : clients)
    if (c.zone.empty())
      c.zone = c.host->get_englobing_zone()->get_name();
  impl_->client_hosts = std::move(clients);
  for (NodeHost& n : nodes) {
    if (n.zone.empty())
      n.zone = n.host->get_englobing_zone()->get_name();
    node_info_.push_back({n.host->get_name(), n.zone});
  }
  impl_->nodes = std::move(nodes);
}

Cluster::~Cluster() { watching().erase(impl_.get()); }

const std::string& Cluster::unreachable() const { return impl_->network.unreachable(); }

void Cluster::turn_off_node(NodeId id) { impl_->nodes.at(id).host->turn_off(); }

void Cluster::pause_node(NodeId id)
{
  Impl& impl = *impl_;
  const auto n = static_cast<std::size_t>(id);
  if (impl.finished || !impl.nodes.at(n).host->is_on() || impl.pauses.at(n)++ > 0)
    return;
  impl.servers.at(n).pause();
  if (impl.observer != nullptr)
    impl.observer->node_paused(id, sg4::Engine::get_clock());
}

void Cluster::resume_node(NodeId id)
{
  Impl& impl = *impl_;
  const auto n = static_cast<std::size_t>(id);
  if (impl.finished || impl.pauses.at(n) == 0 || --impl.pauses.at(n) > 0)
    return;
  if (impl.observer != nullptr)
    impl.observer->node_resumed(id, sg4::Engine::get_clock());
  impl.servers.at(n).resume();
}

HostInfo Cluster::host_of_client(ClientId c) const
{
  const ClientHost h = impl_->client(c);
  return {h.host->get_name(), h.zone};
}

void Cluster::place_client(ClientId c, ClientHost host)
{
  if (host.zone.empty())
    host.zone = host.host->get_englobing_zone()->get_name();
  if (impl_->placed_clients.size() <= static_cast<std::size_t>(c))
    impl_->placed_clients.resize(static_cast<std::size_t>(c) + 1);
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

void Cluster::add_node(NodeId id, NodeMachine& machine, Traffic& traffic, const ServerSettings& settings,
                       std::uint64_t service_seed)
{
  if (static_cast<std::size_t>(id) != impl_->servers.size())
    throw std::logic_error("Cluster::add_node: nodes are added in order");
  sg4::Host* host = impl_->nodes.at(id).host;
  NodeServer& server = impl_->servers.emplace_back(
      machine, id, host, impl_->network, impl_->timers, impl_->sizes, traffic, settings, threads_of(id, settings.threads),
      service_seed,
      [impl = impl_.get()](const RoleEvent& e) {
        if (impl->observer != nullptr)
          impl->observer->role_changed(e);
      },
      [impl = impl_.get(), id](double seconds) {
        if (impl->observer != nullptr)
          impl->observer->message_waited(id, seconds);
      });
  impl_->network.attach(Address::node(id), host, server);
  impl_->pauses.push_back(0);
  impl_->crashes.push_back(0);
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
const Network& Cluster::network() const { return impl_->network; }

void Cluster::start()
{
  // From now on a node host that goes off crashes its node.
  watching().insert(impl_.get());
  for (std::size_t n = 0; n < impl_->servers.size(); ++n) {
    if (impl_->end_with_clients)
      impl_->servers[n].start_executor();
    if (impl_->nodes[n].host->is_on())
      impl_->servers[n].start();
  }
  if (impl_->observer != nullptr)
    impl_->observer->nodes_started(sg4::Engine::get_clock());
  for (ClientDriver& c : impl_->clients)
    c.start();
  if (impl_->clients.empty() && impl_->end_with_clients)
    impl_->drain_or_finish();
}

bool Cluster::Impl::cut(Address a, Address b) const
{
  const auto on = [this](const std::vector<std::string>& side, Address x) {
    const std::string name = name_of(x);
    const std::string zone = zone_of(x);
    return std::any_of(side.begin(), side.end(), [&](const std::string& s) { return s == name || s == zone; });
  };
  return std::any_of(cuts.begin(), cuts.end(), [&](const FaultPlan::Partition* p) {
    return (on(p->side_a, a) && on(p->side_b, b)) || (on(p->side_b, a) && on(p->side_a, b));
  });
}

void Cluster::observe(ClusterObserver& observer) { impl_->observer = &observer; }

void Cluster::schedule_faults(const FaultPlan& given, std::function<NodeId()> most_leaders)
{
  Impl& impl = *impl_;
  impl.plan = given;
  const auto at = [&impl](Time t, std::function<void()> act) {
    if (t == kNever)
      return;
    FaultAction& a = impl.faults.emplace_back(std::move(act));
    impl.timers.set(t, a, 0);
  };
  std::vector<std::tuple<const sg4::Host*, Time, Time>> crashed;
  for (const auto& c : impl.plan.crashes) {
    if (c.most_leaders) {
      // Which node that is is known only when the time comes; it comes back
      // at `recover`, whichever it was.
      auto chosen = std::make_shared<sg4::Host*>(nullptr);
      at(c.at, [&impl, chosen, most_leaders] {
        const NodeId n = most_leaders();
        if (n == kNoNode)
          return;
        *chosen = impl.nodes.at(static_cast<std::size_t>(n)).host;
        (*chosen)->turn_off();
      });
      at(c.recover, [chosen] {
        if (*chosen != nullptr)
          (*chosen)->turn_on();
      });
      continue;
    }
    if (c.node != kNoNode && static_cast<std::size_t>(c.node) >= impl.nodes.size())
      throw std::invalid_argument(fmt::format("{}: no node {} (the run has {})", c.where, c.node, impl.nodes.size()));
    sg4::Host* host = c.node != kNoNode ? impl.nodes[static_cast<std::size_t>(c.node)].host : sg4::Host::by_name_or_null(c.host);
    if (host == nullptr)
      throw std::invalid_argument(fmt::format("{}: no host '{}'", c.where, c.host));
    if (std::none_of(impl.nodes.begin(), impl.nodes.end(), [host](const NodeHost& n) { return n.host == host; }))
      throw std::invalid_argument(
          fmt::format("{}: host '{}' runs no datastore node (a crash stops a node; clients run to the end)", c.where,
                      c.host));
    // Two crashes of one host at once would bring it back while the other
    // still holds it down: refused, so that each crash means what it says.
    for (const auto& [other, from, to] : crashed)
      if (other == host && c.at < to && from < c.recover)
        throw std::invalid_argument(
            fmt::format("{}: host '{}' is already down then (an earlier crash overlaps this one)", c.where,
                        host->get_name()));
    crashed.emplace_back(host, c.at, c.recover);
    at(c.at, [host] { host->turn_off(); });
    at(c.recover, [host] { host->turn_on(); });
  }
  for (const auto& p : impl.plan.pauses) {
    NodeId node = p.node;
    if (node != kNoNode && static_cast<std::size_t>(node) >= impl.nodes.size())
      throw std::invalid_argument(fmt::format("{}: no node {} (the run has {})", p.where, node, impl.nodes.size()));
    if (!p.host.empty()) {
      const auto it = std::find_if(node_info_.begin(), node_info_.end(), [&](const HostInfo& h) { return h.name == p.host; });
      if (it == node_info_.end())
        throw std::invalid_argument(fmt::format("{}: no node host '{}'", p.where, p.host));
      node = static_cast<NodeId>(it - node_info_.begin());
    }
    // The node is known at `at` ("most-leaders"); it resumes at `resume`
    // unless it crashed in between (the crash ended the pause).
    struct Paused {
      NodeId node = kNoNode;
      std::uint64_t crashes = 0;
    };
    auto paused = std::make_shared<Paused>();
    Cluster* self = this;
    at(p.at, [&impl, self, paused, node, most = p.most_leaders, most_leaders] {
      const NodeId n = most ? most_leaders() : node;
      if (n == kNoNode || !impl.nodes.at(static_cast<std::size_t>(n)).host->is_on())
        return;
      *paused = {n, impl.crashes.at(static_cast<std::size_t>(n))};
      self->pause_node(n);
    });
    at(p.resume, [&impl, self, paused] {
      if (paused->node != kNoNode && impl.crashes.at(static_cast<std::size_t>(paused->node)) == paused->crashes)
        self->resume_node(paused->node);
    });
  }
  for (const auto& l : impl.plan.links) {
    // A full-duplex (SPLITDUPLEX) link is two links, NAME_UP and NAME_DOWN:
    // its name stands for both.
    std::vector<sg4::Link*> links;
    if (sg4::Link* link = sg4::Link::by_name_or_null(l.link))
      links.push_back(link);
    else
      for (const char* side : {"_UP", "_DOWN"})
        if (sg4::Link* half = sg4::Link::by_name_or_null(l.link + side))
          links.push_back(half);
    if (links.empty())
      throw std::invalid_argument(fmt::format("{}: no link '{}' (nor '{}_UP' and '{}_DOWN')", l.where, l.link, l.link,
                                              l.link));
    at(l.at, [&impl, links] {
      for (sg4::Link* link : links)
        link->turn_off();
      ++impl.links_down;
      impl.network_changed();
    });
    at(l.up, [&impl, links] {
      for (sg4::Link* link : links)
        link->turn_on();
      --impl.links_down;
      impl.network_changed();
    });
  }
  for (const auto& p : impl.plan.partitions) {
    for (const auto* side : {&p.side_a, &p.side_b})
      for (const std::string& name : *side) {
        const bool zone = std::any_of(node_info_.begin(), node_info_.end(), [&](const HostInfo& h) { return h.zone == name; }) ||
                          std::any_of(impl.client_hosts.begin(), impl.client_hosts.end(), [&](const ClientHost& c) { return c.zone == name; });
        if (!zone && sg4::Host::by_name_or_null(name) == nullptr)
          throw std::invalid_argument(fmt::format("{}: '{}' is neither a host nor a zone", p.where, name));
      }
    const FaultPlan::Partition* partition = &p;
    at(p.from, [&impl, partition] {
      impl.cuts.push_back(partition);
      impl.network_changed();
    });
    at(p.until, [&impl, partition] {
      std::erase(impl.cuts, partition);
      impl.network_changed();
    });
  }
  if (!impl.plan.partitions.empty())
    impl.network.set_cut([&impl](Address a, Address b) { return !impl.cuts.empty() && impl.cut(a, b); });
}

bool Cluster::connected(NodeId a, NodeId b) const
{
  const Impl& impl = *impl_;
  sg4::Host* from = impl.nodes.at(static_cast<std::size_t>(a)).host;
  sg4::Host* to = impl.nodes.at(static_cast<std::size_t>(b)).host;
  if (!from->is_on() || !to->is_on())
    return false;
  if (!impl.cuts.empty() && impl.cut(Address::node(a), Address::node(b)))
    return false;
  if (impl.links_down == 0 || a == b)
    return true;
  std::vector<sg4::Link*> route;
  double latency = 0;
  from->route_to(to, route, &latency);
  return std::all_of(route.begin(), route.end(), [](const sg4::Link* l) { return l->is_on(); });
}

bool Cluster::finished() const { return impl_->finished; }

void Cluster::keep_running_after_clients() { impl_->end_with_clients = false; }

void Cluster::stop()
{
  if (!impl_->finished)
    impl_->finish();
}

void Cluster::stop_soon()
{
  if (!impl_->finished)
    impl_->timers.set(sg4::Engine::get_clock(), *impl_, Impl::kStopTimer);
}

double Cluster::clock() const { return impl_->finished ? impl_->end_s : sg4::Engine::get_clock(); }

const NodeLoad& Cluster::load_of(NodeId id) const { return impl_->servers.at(static_cast<std::size_t>(id)).load(); }

}  // namespace replisim
