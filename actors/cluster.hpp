// The SimGrid side of a run: the engine, the platform, which host is a
// datastore node and which a client, and the servers and clients that drive
// the protocol state machines. The only SimGrid-facing API the experiment
// drivers see.
#pragma once
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "actors/client_driver.hpp"
#include "actors/server.hpp"
#include "actors/wire.hpp"
#include "protocols/client.hpp"
#include "protocols/delay.hpp"

namespace simgrid::s4u {
class Engine;
class Host;
}  // namespace simgrid::s4u

namespace replisim {

struct PlatformError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct HostInfo {
  std::string name;
  std::string zone;  // the host's enclosing zone: its datacenter or rack
};

class Cluster {
public:
  // Creates the process's one SimGrid engine. `engine_args` are SimGrid's own
  // --cfg= and --log= options, applied after replisim's defaults.
  // `delays` adds random per-kind delays to messages, drawn from `delay_seed`.
  Cluster(const std::vector<std::string>& engine_args, MessageSizes sizes, DelayModel delays = DelayModel(),
          std::uint64_t delay_seed = 0);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Loads a platform file and sorts its hosts into nodes and clients: by the
  // host property role=node|client; when no host has it, hosts named client*
  // are clients and the rest nodes. Hosts keep the file's order. Throws
  // PlatformError naming the file (and line, for malformed XML).
  void load_platform(const std::string& path);
  void use_only_nodes(int count);  // keep the first `count` nodes
  // Multiplies the latency of every link of the platform (--latency-scale).
  void scale_latencies(double factor);
  // Turns a node's host off for the whole run: it runs nothing, and messages
  // to it are lost.
  void turn_off_node(NodeId id);

  const std::vector<HostInfo>& nodes() const { return node_info_; }
  const std::vector<HostInfo>& client_hosts() const { return client_info_; }
  // The host client `c` runs on: client hosts round-robin, or nodes' hosts when
  // the platform has no client host.
  const HostInfo& host_of_client(ClientId c) const;

  // One-way route latency in seconds (the sum of the links' latencies).
  double latency_node_to_node(NodeId a, NodeId b) const;
  double latency_client_to_node(ClientId c, NodeId n) const;
  // Workers of node `id`: its host's `threads` property, else `fallback`.
  // Throws PlatformError when the property is not a positive integer.
  int threads_of(NodeId id, int fallback) const;
  // Throws PlatformError naming the first node host without a <disk>.
  void require_disks() const;

  // `settings` must outlive the run. `service_seed` draws the node's costs.
  void add_node(NodeId id, StateMachine& machine, Traffic& traffic, const ServerSettings& settings,
                std::uint64_t service_seed);
  void add_client(ClientId id, ClientMachine& machine, CompletionSink sink);

  // After the last client is done, keep simulating until no message is in
  // flight and `quiescent()` holds, checking every `poll_s` simulated seconds
  // (asynchronous replication outlives the clients).
  void drain_after_clients(std::function<bool()> quiescent, double poll_s);

  void run();
  // Simulated seconds at the end of the run (when the last client finished,
  // or the drain after it), or now while it runs.
  double clock() const;
  const NodeLoad& load_of(NodeId id) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<HostInfo> node_info_;
  std::vector<HostInfo> client_info_;
};

}  // namespace replisim
