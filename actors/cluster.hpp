// The SimGrid side of one datastore: which hosts run its nodes and its
// clients, and the servers, clients, network and timers that drive their
// protocol state machines. It runs on an engine and platform someone else
// made (engine_setup.hpp, or a user's own program) and never creates,
// seals or runs the engine itself. The only SimGrid-facing API the
// experiment drivers see.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/client_driver.hpp"
#include "actors/engine_setup.hpp"
#include "actors/fault_plan.hpp"
#include "actors/server.hpp"
#include "actors/wire.hpp"
#include "protocols/client/client.hpp"
#include "protocols/common/delay.hpp"

namespace simgrid::s4u {
class Host;
}  // namespace simgrid::s4u

namespace replisim {

struct HostInfo {
  std::string name;
  std::string zone;  // its datacenter or rack: the host's enclosing zone, unless a deployment says otherwise
};

// A host that runs a datastore node.
struct NodeHost {
  NodeHost(simgrid::s4u::Host* h = nullptr, std::string z = "", int t = 0) : host(h), zone(std::move(z)), threads(t) {}
  simgrid::s4u::Host* host = nullptr;
  std::string zone;  // empty: the host's enclosing zone
  int threads = 0;   // 0: the host's `threads` property, else the run's --threads
};

// A host that runs clients.
struct ClientHost {
  ClientHost(simgrid::s4u::Host* h = nullptr, std::string z = "") : host(h), zone(std::move(z)) {}
  simgrid::s4u::Host* host = nullptr;
  std::string zone;  // empty: the host's enclosing zone
};

// Hears what happens to the nodes during a run.
class ClusterObserver {
public:
  // Every node has taken its start input (its role events told already).
  virtual void nodes_started(Time /*now*/) {}
  virtual void role_changed(const RoleEvent& /*event*/) {}
  // A node's host went off (after the node lost its volatile state, before
  // the other nodes hear of it).
  virtual void node_down(NodeId /*node*/, Time /*now*/) {}
  // A node's host came back (before the node recovers).
  virtual void node_up(NodeId /*node*/, Time /*now*/) {}
  // A partition began or ended, or a link went down or up.
  virtual void network_changed(Time /*now*/) {}
  // A node paused (after it stopped handling anything) or resumed (before
  // it handles what fell due meanwhile): it is up all along.
  virtual void node_paused(NodeId /*node*/, Time /*now*/) {}
  virtual void node_resumed(NodeId /*node*/, Time /*now*/) {}
  // A worker of `node` took a message that had waited `seconds` in its inbox.
  virtual void message_waited(NodeId /*node*/, double /*seconds*/) {}

protected:
  ~ClusterObserver() = default;
};

class Cluster {
public:
  // `clients`: hosts the clients run on, round-robin (the nodes' hosts when
  // empty). `delays` adds random per-kind delays to messages, drawn from
  // `delay_seed`.
  Cluster(std::vector<NodeHost> nodes, std::vector<ClientHost> clients, MessageSizes sizes,
          DelayModel delays = DelayModel(), std::uint64_t delay_seed = 0);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  const std::vector<HostInfo>& nodes() const { return node_info_; }
  // The host client `c` runs on.
  HostInfo host_of_client(ClientId c) const;
  // Places client `c` on `host` instead of the round-robin choice.
  void place_client(ClientId c, ClientHost host);

  // One-way route latency in seconds (the sum of the links' latencies).
  double latency_node_to_node(NodeId a, NodeId b) const;
  double latency_client_to_node(ClientId c, NodeId n) const;
  // Workers of node `id`: its deployment's, its host's `threads` property, or
  // `fallback`. Throws PlatformError when the property is not a whole number
  // in [1, 4096].
  int threads_of(NodeId id, int fallback) const;
  // Throws PlatformError naming the first node host without a <disk>.
  void require_disks() const;
  // Turns a node's host off: it runs nothing, and messages to it are lost.
  void turn_off_node(NodeId id);
  // Pauses a node (NodeServer::pause) until as many resume_node calls as
  // pause_node calls: overlapping pauses hold it until the last ends. A crash ends
  // every pause of the node; a pause of a node that is down does nothing.
  void pause_node(NodeId id);
  void resume_node(NodeId id);

  // `settings` must outlive the run. `service_seed` draws the node's costs.
  void add_node(NodeId id, NodeMachine& machine, Traffic& traffic, const ServerSettings& settings,
                std::uint64_t service_seed);
  void observe(ClusterObserver& observer);
  // Crashes and recoveries of hosts, links down and up, partitions and
  // pauses, at their times. A node host that goes off for any reason (also a state profile of
  // the platform) crashes its node. `most_leaders` names the node a crash of
  // "most-leaders" takes, when its time comes. Throws std::invalid_argument
  // naming the fault (FaultPlan's `where`) for an unknown host, node, link or zone.
  void schedule_faults(const FaultPlan& plan, std::function<NodeId()> most_leaders);
  void add_client(ClientId id, ClientMachine& machine, CompletionSink sink);
  // A client endpoint driven from outside (the library's blocking calls).
  void add_endpoint(ClientId id, Receiver& endpoint);
  Network& network();
  const Network& network() const;

  // After the last client is done, keep simulating until no message is in
  // flight and `quiescent()` holds, checking every `poll_s` simulated seconds
  // (asynchronous replication outlives the clients).
  void drain_after_clients(std::function<bool()> quiescent, double poll_s);

  // Gives every machine its start input, nodes first (a node whose host is
  // off runs nothing), then clients. Call from maestro: before the engine
  // runs, or in a simcall.
  void start();
  // Whether the run ended: every client done (and drained), or stopped.
  bool finished() const;
  // Whether nodes a and b can exchange messages now: both hosts on, no
  // partition between them, every link of their route up.
  bool connected(NodeId a, NodeId b) const;
  // Empty, or the first pair of hosts a message found no route between.
  const std::string& unreachable() const;
  // The run goes on when the workload's clients are done (others use the
  // datastore too): it ends with stop(), or when the engine has nothing left.
  void keep_running_after_clients();
  // Ends the run now: whatever is in flight is cancelled.
  void stop();
  // Ends the run once the event being handled is done (safe from inside a
  // node's handling of a message, where stop() would cancel the handler).
  void stop_soon();
  // Simulated seconds at the end of the run (when the last client finished,
  // or the drain after it), or now while it runs.
  double clock() const;
  const NodeLoad& load_of(NodeId id) const;

  struct Impl;  // public so that the host-state signal can reach it

private:
  std::unique_ptr<Impl> impl_;
  std::vector<HostInfo> node_info_;
};

}  // namespace replisim
