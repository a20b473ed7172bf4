#include "experiments/bench/bare_loop.hpp"

#include <random>

#include <simgrid/s4u.hpp>

#include "actors/engine_setup.hpp"
#include "actors/star.hpp"
#include "experiments/bench/wall_phases.hpp"

namespace replisim {

namespace sg4 = simgrid::s4u;

namespace {

__extension__ using Wide = unsigned __int128;  // products of two 64-bit counts

struct Request {
  sg4::Mailbox* reply_to;
  std::uint64_t executions;  // the node runs this many before it answers
};

// The part of `total` that parts [from, to) of `parts` equal parts get, in
// whole numbers: floor(to·total/parts) − floor(from·total/parts).
std::uint64_t portion(std::uint64_t total, std::uint64_t parts, std::uint64_t from, std::uint64_t to)
{
  const auto upto = [&](std::uint64_t k) { return static_cast<std::uint64_t>(static_cast<Wide>(k) * total / parts); };
  return upto(to) - upto(from);
}

}  // namespace

BareLoopResult run_bare_loop(const std::vector<std::string>& engine_args, const BareLoopSpec& spec)
{
  start_wall_phases();
  const auto engine = create_engine(engine_args);
  const PlatformHosts hosts = build_star(*engine, spec.star);
  const auto& nodes = hosts.nodes;
  const double cost_flops = spec.cost_flops;
  const std::uint64_t requests = spec.messages / 2;
  const auto clients = static_cast<std::uint64_t>(hosts.clients.size());
  BareLoopResult result;
  std::vector<sg4::Mailbox*> node_boxes;  // looked up once, not per message
  for (std::size_t n = 0; n < nodes.size(); ++n)
    node_boxes.push_back(sg4::Mailbox::by_name("bare-node" + std::to_string(n)));

  for (std::size_t n = 0; n < nodes.size(); ++n) {
    sg4::Actor::create("bare-node", nodes[n], [inbox = node_boxes[n], cost_flops] {
      inbox->set_receiver(sg4::Actor::self());
      for (;;) {
        auto* request = inbox->get<Request>();
        for (std::uint64_t e = 0; e < request->executions; ++e)
          sg4::this_actor::execute(cost_flops);
        request->reply_to->put_init(request, 64)->detach();
      }
    })->daemonize();
  }
  // Each client keeps its window of the outstanding requests, and answers
  // its share of the requests and executions in proportion to that window,
  // so that every client is busy until the end.
  const std::uint64_t slots = std::max<std::uint64_t>(1, spec.outstanding);
  const std::uint64_t busy = std::min(slots, clients);
  for (std::uint64_t c = 0, first = 0; c < busy; ++c) {
    const std::uint64_t window = portion(slots, busy, c, c + 1);
    const std::uint64_t mine = portion(requests, slots, first, first + window);
    const std::uint64_t my_executions = portion(spec.executions, slots, first, first + window);
    first += window;
    if (mine == 0)
      continue;
    sg4::Actor::create("bare-client", hosts.clients[c], [c, window, mine, my_executions, &result, &node_boxes] {
      sg4::Mailbox* inbox = sg4::Mailbox::by_name("bare-client" + std::to_string(c));
      inbox->set_receiver(sg4::Actor::self());
      // Each request to a node drawn at random, as a datastore's keys spread
      // its traffic: requests to neighbouring nodes only would keep SimGrid's
      // max-min system in small independent pieces, far cheaper to solve
      // than the one large piece that traffic between any two hosts makes.
      std::minstd_rand draw(static_cast<std::uint32_t>(c + 1));
      std::uniform_int_distribution<std::size_t> node(0, node_boxes.size() - 1);
      std::uint64_t sent = 0;
      auto send = [&] {
        node_boxes[node(draw)]->put_init(new Request{inbox, portion(my_executions, mine, sent, sent + 1)}, 164)->detach();
        ++sent;
      };
      while (sent < std::min(mine, window))
        send();
      for (std::uint64_t answered = 0; answered < mine; ++answered) {
        const auto* reply = inbox->get<Request>();
        result.messages += 2;
        result.executions += reply->executions;
        delete reply;
        if (sent < mine)
          send();
      }
    });
  }
  engine->run();
  const WallPhases phases = wall_phases();
  result.setup_s = phases.setup_s;
  result.run_s = phases.run_s;
  result.setup_peak_mb = phases.setup_peak_mb;
  return result;
}

}  // namespace replisim
