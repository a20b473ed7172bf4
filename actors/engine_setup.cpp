#include "actors/engine_setup.hpp"

#include <algorithm>
#include <csignal>
#include <fstream>
#include <unordered_set>

#include <simgrid/s4u.hpp>

#include "actors/engine_args.hpp"

namespace replisim {

namespace sg4 = simgrid::s4u;

std::unique_ptr<sg4::Engine> create_engine(const std::vector<std::string>& user_args)
{
  // SimGrid wants a mutable argc/argv that outlives the engine's parsing.
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
  // SimGrid takes SIGINT for itself (a status dump, then exit 1); the
  // program keeps its own handler.
  struct sigaction before {};
  sigaction(SIGINT, nullptr, &before);
  auto engine = std::make_unique<sg4::Engine>(&argc, argv.data());
  sigaction(SIGINT, &before, nullptr);
  return engine;
}

PlatformHosts load_platform(sg4::Engine& engine, const std::string& path)
{
  if (!std::ifstream(path).good())
    throw PlatformError("cannot read platform file '" + path + "'");
  // Hosts in the file's order: the engine lists them by name. The creation
  // signal fires once while parsing (file order) and again when sealing.
  static std::vector<sg4::Host*> in_file_order;
  static std::unordered_set<sg4::Host*> seen;
  sg4::Host::on_creation_cb([](sg4::Host& h) {
    if (seen.insert(&h).second)
      in_file_order.push_back(&h);
  });
  try {
    engine.load_platform(path);
    engine.seal_platform();  // routes are only known once sealed
  } catch (const std::exception& e) {
    // SimGrid's messages may run over several lines: the first says it.
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));
    throw PlatformError(std::string("platform file '") + path + "': " + what);
  }

  const bool any_role = std::any_of(in_file_order.begin(), in_file_order.end(),
                                    [](const sg4::Host* h) { return h->get_property("role") != nullptr; });
  PlatformHosts hosts;
  for (sg4::Host* h : in_file_order) {
    const char* role = h->get_property("role");
    const bool client = any_role ? (role != nullptr && std::string(role) == "client")
                                 : h->get_name().starts_with("client");
    const bool node = any_role ? (role != nullptr && std::string(role) == "node") : !client;
    if (client)
      hosts.clients.push_back(h);
    else if (node)
      hosts.nodes.push_back(h);
  }
  return hosts;
}

void scale_latencies(sg4::Engine& engine, double factor)
{
  for (sg4::Link* link : engine.get_all_links())
    link->set_latency(link->get_latency() * factor);
}

}  // namespace replisim
