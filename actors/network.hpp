// Message delivery between state machines, in the order messages *arrive*.
//
// Each message is its own host-to-host SimGrid transfer (Comm::sendto_init),
// started and finished without an actor (see activity.hpp): a mailbox would
// hand messages over in the order they were *sent*, so a message already
// arrived would wait behind an earlier one still crossing a slower route.
// When a transfer ends (plus any --delay), the receiver gets the message.
// A message is lost when its transfer fails (a host or link on the route goes
// off) or when its receiver is off, or has crashed since it was sent.
#pragma once
#include <string>
#include <unordered_map>
#include <utility>
#include <deque>
#include <functional>
#include <vector>

#include <simgrid/s4u/Comm.hpp>

#include "actors/activity.hpp"
#include "actors/timers.hpp"
#include "protocols/common/delay.hpp"
#include "protocols/common/messages.hpp"
#include "protocols/common/rng.hpp"

namespace replisim {

// Whoever a message is addressed to: a node's server or a client.
class Receiver {
public:
  virtual void receive(Envelope&& message) = 0;
  // Bumped each time the receiver crashes: a message sent to an earlier
  // incarnation is lost.
  virtual std::uint64_t incarnation() const { return 0; }

protected:
  ~Receiver() = default;
};

class Network {
public:
  // `delays` adds a random delay per message kind (--delay), drawn from `seed`
  // in the order messages are sent, which SimGrid keeps deterministic.
  Network(TimerQueue& timers, DelayModel delays, std::uint64_t seed)
      : timers_(timers), delays_(std::move(delays)), delay_rng_(seed)
  {
  }
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  void attach(Address address, sg4::Host* host, Receiver& receiver);
  sg4::Host* host_of(Address address) const { return endpoint(address).host; }

  // Carries `message` (of `size` simulated bytes) to its destination.
  void send(Envelope&& message, std::uint64_t size);

  // While it is set, a message for which `cut(from, to)` holds is lost, when
  // it is sent or when it would be delivered.
  void set_cut(std::function<bool(Address, Address)> cut) { cut_ = std::move(cut); }

  // Hears of every message lost to a fault (not those a stop() cancels).
  void on_loss(std::function<void(const Envelope&)> listener) { on_loss_ = std::move(listener); }

  // No message in flight.
  bool idle() const { return in_flight_ == 0; }
  // Messages handed to SimGrid so far: one transfer each.
  std::uint64_t carried() const { return carried_; }
  // Transfers in flight when a transfer started (itself included), averaged
  // over the transfers: what each paid for. SimGrid 3.32 ends a transfer by
  // searching every transfer in flight (CommImpl::finish removes it from
  // maestro's list of activities), so its cost per message follows this
  // count, which bursts (a fan-out to every node) raise well above the
  // average over time.
  double in_flight_per_transfer() const
  {
    return carried_ > 0 ? static_cast<double>(in_flight_seen_) / static_cast<double>(carried_) : 0;
  }
  // Cancels every transfer in flight; nothing is delivered any more.
  void stop();
  // Empty, or the first pair of hosts a message found no route between (the
  // message was lost): each route is checked on its first use.
  const std::string& unreachable() const { return unreachable_; }
  // Checks each pair of hosts the first time a message goes between them
  // (a platform file too big to check every pair before the run); off for
  // platforms known to route every pair, such as the generated star.
  void check_routes(bool on) { check_routes_ = on; }

private:
  // Links off now, and whether the route from one host to another crosses
  // one: a transfer started over a link that is off never ends in SimGrid
  // 3.32, so such a message is lost at once, as the link would lose it.
  static int links_off();
  static bool crosses_a_link_off(const sg4::Host* from, const sg4::Host* to);
  struct Endpoint {
    sg4::Host* host = nullptr;
    Receiver* receiver = nullptr;
  };
  // One message on its way; pooled, so a run allocates one per message in
  // flight at most.
  struct Transfer final : ActivityListener, TimerListener {
    Network* network = nullptr;
    Envelope message;
    double delay = 0;  // extra seconds after the transfer
    std::uint64_t incarnation = 0;  // of the receiver when sent
    sg4::CommPtr comm;
    void activity_ended(bool ok) override;
    void timer_fired(std::uint64_t, std::uint64_t) override;
  };

  const Endpoint& endpoint(Address address) const;
  bool routed(const sg4::Host* from, const sg4::Host* to);
  struct PairHash {
    std::size_t operator()(const std::pair<const sg4::Host*, const sg4::Host*>& p) const
    {
      return std::hash<const void*>()(p.first) * 31 + std::hash<const void*>()(p.second);
    }
  };
  std::unordered_map<std::pair<const sg4::Host*, const sg4::Host*>, bool, PairHash> routes_;
  std::string unreachable_;
  bool check_routes_ = false;
  void deliver(Transfer& t);
  void release(Transfer& t);
  void lose(const Envelope& message) const
  {
    if (on_loss_)
      on_loss_(message);
  }

  TimerQueue& timers_;
  std::vector<Endpoint> nodes_;
  std::vector<Endpoint> clients_;
  std::deque<Transfer> transfers_;  // a deque: transfers never move
  std::vector<Transfer*> free_;
  std::size_t in_flight_ = 0;
  std::uint64_t carried_ = 0;
  std::uint64_t in_flight_seen_ = 0;  // in_flight_ summed at every start
  bool stopped_ = false;
  std::function<bool(Address, Address)> cut_;
  std::function<void(const Envelope&)> on_loss_;
  DelayModel delays_;
  Rng delay_rng_;
};

}  // namespace replisim
