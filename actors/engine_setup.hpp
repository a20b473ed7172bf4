// What the replisim program does with SimGrid before a run and a library user
// does themselves: create the engine, load a platform, sort its hosts into
// datastore nodes and clients. (Used as a library, replisim never creates the
// engine or loads, seals or changes a platform.)
#pragma once
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace simgrid::s4u {
class Engine;
class Host;
}  // namespace simgrid::s4u

namespace replisim {

struct PlatformError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The process's one SimGrid engine. `args` are SimGrid's own --cfg= and
// --log= options, applied after replisim's defaults (engine_args.hpp).
std::unique_ptr<simgrid::s4u::Engine> create_engine(const std::vector<std::string>& args);

// A platform's hosts in the file's order.
struct PlatformHosts {
  std::vector<simgrid::s4u::Host*> nodes;
  std::vector<simgrid::s4u::Host*> clients;
};

// Loads and seals a platform file, and sorts its hosts: by the host property
// role=node|client; when no host has it, hosts named client* are clients and
// the rest nodes. Throws PlatformError naming the file (and the line, for
// malformed XML).
PlatformHosts load_platform(simgrid::s4u::Engine& engine, const std::string& path);

// Multiplies the latency of every link of the platform (--latency-scale).
void scale_latencies(simgrid::s4u::Engine& engine, double factor);

}  // namespace replisim
