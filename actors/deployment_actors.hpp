// The actor functions a SimGrid deployment file names to place a replisim
// datastore: replisim-node and replisim-client, registered with the engine
// so that Engine::load_deployment creates them (in replisim's own runs and
// in a user's program alike).
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace simgrid::s4u {
class Engine;
class Host;
}  // namespace simgrid::s4u

namespace replisim {

struct PlacedActor {
  simgrid::s4u::Host* host = nullptr;
  std::map<std::string, std::string> props;
};

struct DeploymentHooks {
  // Once, when the first of replisim's actors starts (time 0): every node and
  // client actor the deployment created, in file order, with their props
  // (SimGrid sets them only after announcing an actor).
  std::function<void(const std::vector<PlacedActor>& nodes, const std::vector<PlacedActor>& clients)> start;
  // What client actor `index` (in file order) runs; none: it ends at once.
  // Node actors end at once: a node runs on its host without an actor.
  std::function<void(std::size_t index)> client_body;
};

void register_replisim_actors(simgrid::s4u::Engine& engine, DeploymentHooks hooks);

}  // namespace replisim
