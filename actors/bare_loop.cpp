#include "actors/bare_loop.hpp"

#include <chrono>

#include <simgrid/s4u.hpp>

#include "actors/engine_setup.hpp"

namespace replisim {

namespace sg4 = simgrid::s4u;

namespace {
struct Request {
  sg4::Mailbox* reply_to;
};
}  // namespace

BareLoopResult run_bare_loop(const std::vector<std::string>& engine_args, const std::string& platform_file,
                             int clients, int concurrency, std::uint64_t requests, double cost_flops)
{
  const auto engine = create_engine(engine_args);
  const PlatformHosts hosts = load_platform(*engine, platform_file);
  const auto& nodes = hosts.nodes;
  BareLoopResult result;

  for (std::size_t n = 0; n < nodes.size(); ++n) {
    sg4::Actor::create("bare-node", nodes[n], [n, cost_flops] {
      sg4::Mailbox* inbox = sg4::Mailbox::by_name("bare-node" + std::to_string(n));
      inbox->set_receiver(sg4::Actor::self());
      for (;;) {
        auto* request = inbox->get<Request>();
        if (cost_flops > 0)
          sg4::this_actor::execute(cost_flops);
        request->reply_to->put_init(request, 64)->detach();
      }
    })->daemonize();
  }
  const std::uint64_t per_client = requests / static_cast<std::uint64_t>(clients);
  for (int c = 0; c < clients; ++c) {
    sg4::Actor::create("bare-client", hosts.clients.at(static_cast<std::size_t>(c) % hosts.clients.size()),
                       [c, concurrency, per_client, &result, node_count = nodes.size()] {
                         sg4::Mailbox* inbox = sg4::Mailbox::by_name("bare-client" + std::to_string(c));
                         inbox->set_receiver(sg4::Actor::self());
                         std::size_t next = static_cast<std::size_t>(c);
                         auto send = [&] {
                           auto* box = sg4::Mailbox::by_name("bare-node" + std::to_string(next++ % node_count));
                           box->put_init(new Request{inbox}, 164)->detach();
                         };
                         std::uint64_t sent = 0;
                         for (; sent < std::min<std::uint64_t>(per_client, concurrency); ++sent)
                           send();
                         for (std::uint64_t answered = 0; answered < per_client; ++answered) {
                           delete inbox->get<Request>();
                           result.messages += 2;
                           if (sent < per_client) {
                             send();
                             ++sent;
                           }
                         }
                       });
  }
  const auto start = std::chrono::steady_clock::now();
  engine->run();
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace replisim
