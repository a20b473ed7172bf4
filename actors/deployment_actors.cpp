#include "actors/deployment_actors.hpp"

#include <memory>

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include "actors/deployment_file.hpp"

namespace replisim {

namespace sg4 = simgrid::s4u;

namespace {

struct Placed {
  DeploymentHooks hooks;
  std::vector<sg4::ActorPtr> nodes;
  std::vector<sg4::ActorPtr> clients;
  bool started = false;

  std::vector<PlacedActor> read(const std::vector<sg4::ActorPtr>& actors) const
  {
    std::vector<PlacedActor> placed;
    for (const auto& a : actors) {
      PlacedActor p{a->get_host(), {}};
      if (const auto* props = a->get_properties())
        p.props.insert(props->begin(), props->end());
      placed.push_back(std::move(p));
    }
    return placed;
  }
  void start()
  {
    if (started)
      return;
    started = true;
    if (hooks.start)
      hooks.start(read(nodes), read(clients));
  }
};

}  // namespace

void register_replisim_actors(sg4::Engine& engine, DeploymentHooks hooks)
{
  auto placed = std::make_shared<Placed>();
  placed->hooks = std::move(hooks);
  // An actor created from a deployment file is named after its function.
  sg4::Actor::on_creation_cb([placed](sg4::Actor& actor) {
    if (actor.get_name() == kNodeFunction)
      placed->nodes.emplace_back(&actor);
    else if (actor.get_name() == kClientFunction)
      placed->clients.emplace_back(&actor);
  });
  engine.register_function(kNodeFunction, [placed](std::vector<std::string>) { placed->start(); });
  engine.register_function(kClientFunction, [placed](std::vector<std::string>) {
    placed->start();
    const sg4::Actor* self = sg4::Actor::self();
    for (std::size_t i = 0; i < placed->clients.size(); ++i)
      if (placed->clients[i].get() == self && placed->hooks.client_body)
        placed->hooks.client_body(i);
  });
}

}  // namespace replisim
