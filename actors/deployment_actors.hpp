// The actor functions a SimGrid deployment file names to place a replisim
// datastore: replisim-node and replisim-client, registered with the engine
// so that Engine::load_deployment creates them (in replisim's own runs and
// in a user's program alike).
#pragma once
#include <functional>
#include <map>
#include <string>

namespace simgrid::s4u {
class Engine;
class Host;
}  // namespace simgrid::s4u

namespace replisim {

struct DeploymentHooks {
  // As load_deployment creates each actor, in file order: its host and props.
  std::function<void(simgrid::s4u::Host*, const std::map<std::string, std::string>&)> node_created;
  std::function<void(simgrid::s4u::Host*, const std::map<std::string, std::string>&)> client_created;
  // What each actor runs, from time 0 (none: it ends at once; the node
  // itself runs on its host without an actor of its own).
  std::function<void()> node_body;
  std::function<void()> client_body;
};

void register_replisim_actors(simgrid::s4u::Engine& engine, DeploymentHooks hooks);

}  // namespace replisim
