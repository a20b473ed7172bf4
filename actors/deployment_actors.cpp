#include "actors/deployment_actors.hpp"

#include <memory>

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include "actors/deployment_file.hpp"

namespace replisim {

namespace sg4 = simgrid::s4u;

void register_replisim_actors(sg4::Engine& engine, DeploymentHooks hooks)
{
  auto shared = std::make_shared<DeploymentHooks>(std::move(hooks));
  // An actor created from a deployment file is named after its function.
  sg4::Actor::on_creation_cb([shared](sg4::Actor& actor) {
    const bool node = actor.get_name() == kNodeFunction;
    if (!node && actor.get_name() != kClientFunction)
      return;
    std::map<std::string, std::string> props;
    if (const auto* all = actor.get_properties())
      props.insert(all->begin(), all->end());
    const auto& created = node ? shared->node_created : shared->client_created;
    if (created)
      created(actor.get_host(), props);
  });
  const auto body = [](std::function<void()> run) {
    return [run](std::vector<std::string>) {
      if (run)
        run();
    };
  };
  engine.register_function(kNodeFunction, body(shared->node_body));
  engine.register_function(kClientFunction, body(shared->client_body));
}

}  // namespace replisim
