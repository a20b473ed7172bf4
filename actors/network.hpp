// Message delivery between state machines, in the order messages *arrive*.
//
// A SimGrid mailbox hands messages to its receiver in the order they were
// *sent* (even with an eager receiver): a message already arrived waits
// behind an earlier one still crossing a slower route, which adds the slower
// route's latency to the faster message. So each message travels as its own
// host-to-host transfer (Comm::sendto) carried by a courier actor on the
// sender's host; when the transfer ends, the courier drops the message in the
// receiver's inbox and wakes it. Couriers are pooled per host: one per message
// in flight at most, reused after delivery.
#pragma once
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

#include <simgrid/s4u.hpp>

#include "protocols/messages.hpp"

namespace replisim {

namespace sg4 = simgrid::s4u;

class Network {
public:
  struct Endpoint {
    sg4::Host* host = nullptr;
    std::deque<std::unique_ptr<Envelope>> inbox;
    sg4::SemaphorePtr arrived = sg4::Semaphore::create(0);  // one token per message in the inbox
  };

  void attach(Address address, sg4::Host* host);
  Endpoint& endpoint(Address address);
  // From an actor: carries `envelope` (of `size` simulated bytes) to its destination.
  void send(Envelope envelope, std::uint64_t size);

private:
  struct Courier {
    sg4::Host* host = nullptr;
    sg4::SemaphorePtr go = sg4::Semaphore::create(0);
    std::unique_ptr<Envelope> cargo;
    std::uint64_t size = 0;
  };
  void run_courier(Courier& courier);

  std::deque<Endpoint> nodes_;  // deques: endpoints never move once attached
  std::deque<Endpoint> clients_;
  std::deque<Courier> couriers_;  // stable addresses; each owned by one courier actor
  std::unordered_map<sg4::Host*, std::vector<Courier*>> idle_;
};

}  // namespace replisim
