// Message delivery between state machines, in the order messages *arrive*.
//
// A SimGrid mailbox hands messages to its receiver in the order they were
// *sent* (even with an eager receiver): a message already arrived waits
// behind an earlier one still crossing a slower route, which adds the slower
// route's latency to the faster message. So each message travels as its own
// host-to-host transfer (Comm::sendto), carried by a courier actor; when the
// transfer ends, the courier hands the message to the receiver's handler,
// which steps the receiver's state machine right there. A courier then
// carries the first message that step produced itself and gives the others to
// idle couriers, so a request/reply chain costs one transfer per message and
// no extra context switch. Couriers are pooled: one per message in flight at
// most.
#pragma once
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include <simgrid/s4u.hpp>

#include "protocols/delay.hpp"
#include "protocols/messages.hpp"
#include "protocols/rng.hpp"

namespace replisim {

namespace sg4 = simgrid::s4u;

class Network {
public:
  // Runs inside the delivering courier, at the message's arrival time.
  using Handler = std::function<void(const Envelope&)>;

  // `delays` adds a random delay per message kind (--delay), drawn from `seed`
  // in the order messages are sent, which SimGrid keeps deterministic.
  Network(DelayModel delays, std::uint64_t seed) : delays_(std::move(delays)), delay_rng_(seed) {}

  void attach(Address address, sg4::Host* host, Handler handler);
  // No message in flight: every courier waits for work.
  bool idle() const { return idle_.size() == couriers_.size(); }
  // Carries each message (with its simulated size) to its destination.
  void send(std::vector<Envelope>& messages, const std::vector<std::uint64_t>& sizes);

private:
  struct Endpoint {
    sg4::Host* host = nullptr;
    Handler handler;
  };
  struct Courier {
    sg4::SemaphorePtr go = sg4::Semaphore::create(0);
    std::unique_ptr<Envelope> cargo;
    std::uint64_t size = 0;
    double delay = 0;  // extra seconds after the transfer
  };
  Endpoint& endpoint(Address address);
  void dispatch(std::unique_ptr<Envelope> cargo, std::uint64_t size, double delay);
  void run_courier(Courier& courier);

  std::deque<Endpoint> nodes_;  // deques: endpoints and couriers never move
  std::deque<Endpoint> clients_;
  std::deque<Courier> couriers_;
  std::vector<Courier*> idle_;
  Courier* delivering_ = nullptr;  // the courier whose handler is running, if any
  DelayModel delays_;
  Rng delay_rng_;
};

}  // namespace replisim
