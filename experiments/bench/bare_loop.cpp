#include "experiments/bench/bare_loop.hpp"

#include <deque>
#include <random>
#include <utility>
#include <vector>

#include <simgrid/s4u.hpp>

#include "actors/engine_setup.hpp"
#include "actors/star.hpp"
#include "experiments/bench/traffic_shape.hpp"
#include "experiments/bench/wall_phases.hpp"

namespace replisim {

namespace sg4 = simgrid::s4u;

namespace {

__extension__ using Wide = unsigned __int128;  // products of two 64-bit counts

struct Request {
  sg4::Mailbox* reply_to;
  Route route;
  std::size_t pending = 0;  // branches not yet acknowledged back to the entry
};

// One transfer of a request: to the entry (hop −1), or to hop `hop` of
// branch `branch`, forward or acknowledging back.
struct Transfer {
  Request* request;
  std::size_t branch = 0;
  int hop = -1;
  bool ack = false;
};

int reply_token = 0;  // a reply's payload: the client only counts it

// Requests and transfers are taken from pools that live as long as the loop:
// those still in flight when the last client is answered (a chain's last
// acknowledgements, sent after its tail answered) go with the pool instead
// of leaking.
template <class T>
class Pool {
public:
  template <class... Args>
  T* make(Args&&... args)
  {
    if (free_.empty())
      return &items_.emplace_back(T{std::forward<Args>(args)...});
    T* t = free_.back();
    free_.pop_back();
    *t = T{std::forward<Args>(args)...};
    return t;
  }
  void release(T* t) { free_.push_back(t); }

private:
  std::deque<T> items_;
  std::vector<T*> free_;
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
  const TrafficShape shape(spec.model, static_cast<int>(nodes.size()), spec.rf);
  const double cost_flops = spec.cost_flops;
  const auto clients = static_cast<std::uint64_t>(hosts.clients.size());
  BareLoopResult result;
  Pool<Request> requests;
  Pool<Transfer> transfers;
  std::vector<sg4::Mailbox*> node_boxes;  // looked up once, not per message
  for (std::size_t n = 0; n < nodes.size(); ++n)
    node_boxes.push_back(sg4::Mailbox::by_name("bare-node" + std::to_string(n)));
  const auto send = [&result](sg4::Mailbox* to, void* payload) {
    to->put_init(payload, 164)->detach();
    ++result.messages;
  };

  for (std::size_t n = 0; n < nodes.size(); ++n) {
    sg4::Actor::create("bare-node", nodes[n], [inbox = node_boxes[n], cost_flops, &result, &node_boxes, &send, &requests, &transfers] {
      inbox->set_receiver(sg4::Actor::self());
      for (;;) {
        auto* t = inbox->get<Transfer>();
        if (cost_flops > 0) {
          sg4::this_actor::execute(cost_flops);
          ++result.executions;
        }
        Request* r = t->request;
        const auto& branches = r->route.branches;
        const auto box = [&](std::size_t branch, int hop) {
          return node_boxes[hop < 0 ? r->route.entry : branches[branch][hop]];
        };
        if (!t->ack && t->hop < 0) {  // the entry: down every branch
          r->pending = branches.size();
          for (std::size_t b = 0; b < branches.size(); ++b)
            send(box(b, 0), transfers.make(r, b, 0, false));
          if (branches.empty()) {
            send(r->reply_to, &reply_token);
            requests.release(r);
          }
        } else if (!t->ack) {  // along a branch; its last node acknowledges back
          const bool last = static_cast<std::size_t>(t->hop) + 1 == branches[t->branch].size();
          if (last && r->route.tail_replies)
            send(r->reply_to, &reply_token);
          send(box(t->branch, last ? t->hop - 1 : t->hop + 1), transfers.make(r, t->branch, last ? t->hop - 1 : t->hop + 1, last));
        } else if (t->hop >= 0) {  // an acknowledgement on its way back
          send(box(t->branch, t->hop - 1), transfers.make(r, t->branch, t->hop - 1, true));
        } else if (--r->pending == 0) {  // back at the entry, the last branch
          if (!r->route.tail_replies)
            send(r->reply_to, &reply_token);
          requests.release(r);
        }
        transfers.release(t);
      }
    })->daemonize();
  }
  // Each client keeps its window of the outstanding requests, and sends its
  // share of the requests in proportion to that window, so that every
  // client is busy until the end.
  const std::uint64_t slots = std::max<std::uint64_t>(1, spec.outstanding);
  const std::uint64_t busy = std::min(slots, clients);
  for (std::uint64_t c = 0, first = 0; c < busy; ++c) {
    const std::uint64_t window = portion(slots, busy, c, c + 1);
    const std::uint64_t mine = portion(spec.requests, slots, first, first + window);
    first += window;
    if (mine == 0)
      continue;
    sg4::Actor::create("bare-client", hosts.clients[c], [c, window, mine, &result, &node_boxes, &shape, &send, &requests, &transfers] {
      sg4::Mailbox* inbox = sg4::Mailbox::by_name("bare-client" + std::to_string(c));
      inbox->set_receiver(sg4::Actor::self());
      std::minstd_rand draw(static_cast<std::uint32_t>(c + 1));
      std::uint64_t sent = 0;
      const auto request = [&] {
        Request* r = requests.make(inbox, shape.draw(draw));
        send(node_boxes[r->route.entry], transfers.make(r));
        ++sent;
      };
      while (sent < std::min(mine, window))
        request();
      for (std::uint64_t answered = 0; answered < mine; ++answered) {
        inbox->get<int>();
        ++result.requests;
        if (sent < mine)
          request();
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
