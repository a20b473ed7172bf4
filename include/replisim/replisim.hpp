// replisim as a SimGrid plugin: a replicated datastore on hosts of your own
// platform, next to your own actors. Your program owns the engine and the
// platform; replisim never creates the engine, seals or changes the
// platform, or installs signal handlers.
//
//   simgrid::s4u::Engine engine(&argc, argv);
//   engine.load_platform("my_platform.xml");
//   replisim::Store store(node_hosts, {{"model", "partitioned"}, {"units", "12"}, {"rf", "3"}});
//   simgrid::s4u::Actor::create("app", some_host, [&store] {
//     replisim::StoreClient& client = store.client(simgrid::s4u::this_actor::get_host());
//     replisim::OpResult w = client.write(42);  // blocks this actor in simulated time
//   });
//   engine.run();
//   replisim::Report report = store.report();
//
// Or place the datastore with a SimGrid deployment file: register_actors()
// makes the functions replisim-node and replisim-client known to the engine,
// and Engine::load_deployment creates them.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace simgrid::s4u {
class Engine;
class Host;
}  // namespace simgrid::s4u

namespace replisim {

// `replisim run` flags without their dashes, and their values, as on the
// command line: {"model", "chain"}, {"rf", "3"}, {"service", "client=exp:1ms"},
// {"threads", "4"}, {"seed", "7"}, {"timeout", "500ms"}... Flags about the
// platform are ignored (your program made it); workload flags (ops, rate,
// read-ratio, keys, key-dist) apply to the replisim-client actors of a
// deployment file. A flag without a value (sync-writes) takes "true".
using Settings = std::vector<std::pair<std::string, std::string>>;

enum class OpOutcome : std::uint8_t { ok, failed, timeout };

struct OpResult {
  OpOutcome outcome = OpOutcome::timeout;
  double latency_s = 0;       // simulated seconds from the call to the reply (or the timeout)
  std::uint64_t version = 0;  // written, or read (0: never written)
  int acks = 0;               // writes: replicas holding it when acknowledged
  int node = -1;              // the node the request went to (leader, coordinator, head or replica)
};

// A client on one host. Calls block the calling actor in simulated time;
// several actors may share a client.
class StoreClient {
public:
  virtual ~StoreClient() = default;
  virtual OpResult write(std::uint64_t key) = 0;
  virtual OpResult read(std::uint64_t key) = 0;
};

struct NodeReport {
  std::string host;
  std::string zone;
  int primary_units = 0;   // storage role: units it holds the authoritative copy of
  int replica_units = 0;   // copies it holds of units another node is primary of
  int leader_units = 0;    // write role: units whose writes it orders
  int follower_units = 0;
  std::uint64_t writes_led = 0;
  double busy_fraction = 0;  // its workers' busy time over the run
};

struct Report {
  std::uint64_t writes_ok = 0;
  std::uint64_t writes_failed = 0;     // refused: did not commit
  std::uint64_t writes_timed_out = 0;  // unanswered: may have committed
  std::uint64_t reads_ok = 0;
  double write_p50_ms = 0;  // NaN without ok writes
  double write_p99_ms = 0;
  double throughput_writes_per_s = 0;
  double leader_is_primary_fraction = 0;
  std::vector<NodeReport> nodes;  // in node order
  std::string summary_csv;        // what `replisim run` writes: summary.csv
  std::string roles_csv;          // and roles.csv
};

class Store {
public:
  // Deploys the model on `nodes` (node 0 first), on the engine of the
  // calling program. Call it before the engine runs, or from an actor.
  // Throws std::invalid_argument with a one-line message for bad settings.
  Store(const std::vector<simgrid::s4u::Host*>& nodes, const Settings& settings);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The client on `host` (made on first use). Call it from an actor, once
  // the platform is sealed (the engine seals it when it starts running).
  StoreClient& client(simgrid::s4u::Host* host);

  // What the datastore did so far: latencies, roles, load.
  Report report();

private:
  struct Impl;
  friend struct StoreFactory;  // builds stores from deployment files
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Registers replisim-node and replisim-client with `engine`, for
// Engine::load_deployment: the first places a node (props zone and threads;
// any other prop is a setting, as in `settings`), the second a client that
// runs the settings' workload (ops spread over the clients, one operation at
// a time) and ends. The store is built when the first of them starts.
void register_actors(simgrid::s4u::Engine& engine, const Settings& settings);

// The store a deployment file built; null before it started.
Store* deployed_store();

}  // namespace replisim
