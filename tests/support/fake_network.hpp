// An in-memory network for protocol tests, after etcd raft's test `network`:
// state machines exchange Envelopes through one queue that the test steps by
// hand, so each interleaving a test depends on (delay, loss, reordering,
// isolation, timers) is written in the test, not left to a simulator's timing.
// Delivery takes no simulated time; only advance_to() moves the clock.
#pragma once
#include <algorithm>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

#include "protocols/common/rng.hpp"
#include "protocols/common/state_machine.hpp"

namespace replisim::test {

class FakeNetwork {
public:
  using Match = std::function<bool(const Envelope&)>;

  // The test owns the machines and keeps them alive; the network borrows them.
  // A message to an address without a machine is still delivered: it lands in
  // the trace, which is how tests read replies sent to clients.
  void add(Address address, StateMachine& machine) { machines_[key(address)] = {address, &machine}; }

  // Nodes first, then clients, each by index: a fixed order, so runs repeat.
  void start_all()
  {
    for (auto& [k, entry] : machines_)
      take(entry.address, entry.machine->start(now_));
  }

  void inject(Envelope envelope) { enqueue(std::move(envelope)); }

  // Delivers the oldest in-flight message; false when nothing is in flight.
  bool deliver_one() { return deliver_first([](const Envelope&) { return true; }); }

  // Delivers the oldest in-flight message that `match` accepts, leaving the
  // others queued: how a test holds back an ack while replication goes on.
  bool deliver_first(const Match& match)
  {
    const auto it = std::find_if(in_flight_.begin(), in_flight_.end(), match);
    if (it == in_flight_.end())
      return false;
    Envelope envelope = std::move(*it);
    in_flight_.erase(it);
    delivered_.push_back(envelope);
    if (const auto found = machines_.find(key(envelope.to)); found != machines_.end())
      take(envelope.to, found->second.machine->step(envelope, now_));
    return true;
  }

  // Delivers until nothing is in flight and returns how many it delivered. The
  // bound turns a livelock (machines answering each other forever) into a
  // failing test rather than a hung one.
  std::size_t deliver_all(std::size_t max_steps = 100'000)
  {
    std::size_t steps = 0;
    while (!in_flight_.empty()) {
      if (steps == max_steps)
        throw std::runtime_error("FakeNetwork::deliver_all: still delivering after max_steps (livelock?)");
      deliver_one();
      ++steps;
    }
    return steps;
  }

  // Drops the matching messages in flight and every matching one sent later.
  void drop(Match match)
  {
    dropped_ += std::erase_if(in_flight_, match);
    filters_.push_back(std::move(match));
  }

  // Shuffles the in-flight messages with replisim's own Rng: std::shuffle's
  // algorithm is unspecified, so its order could change with the library.
  void reorder(std::uint64_t seed)
  {
    Rng rng(seed);
    for (std::size_t i = in_flight_.size(); i > 1; --i)
      std::swap(in_flight_[i - 1], in_flight_[rng.below(i)]);
  }

  // While isolated, every message to or from `address` is lost, including those
  // already in flight. Timers still fire: isolation cuts the network, not the node.
  void isolate(Address address)
  {
    isolated_.push_back(address);
    dropped_ += std::erase_if(in_flight_, [&](const Envelope& e) { return blocked(e); });
  }
  void recover(Address address) { std::erase(isolated_, address); }

  // Fires every timer due by `t`, earliest first (ties in the order they were
  // set), with the clock at each timer's deadline; then leaves the clock at `t`.
  void advance_to(Time t)
  {
    while (!timers_.empty() && timers_.begin()->first <= t) {
      const auto [deadline, timer] = *timers_.begin();
      timers_.erase(timers_.begin());
      now_ = std::max(now_, deadline);
      take(timer.owner, machines_.at(key(timer.owner)).machine->on_timer(timer.id, now_));
    }
    now_ = std::max(now_, t);
  }

  Time now() const { return now_; }
  const std::deque<Envelope>& in_flight() const { return in_flight_; }
  const std::vector<Envelope>& delivered() const { return delivered_; }  // every delivery, in order
  std::size_t dropped() const { return dropped_; }
  std::size_t timers_pending() const { return timers_.size(); }

  // Every message of type T delivered to `to`, in delivery order.
  template <typename T>
  std::vector<T> received(Address to) const
  {
    std::vector<T> out;
    for (const Envelope& e : delivered_)
      if (const T* m = std::get_if<T>(&e.message); m != nullptr && e.to == to)
        out.push_back(*m);
    return out;
  }

private:
  struct Entry {
    Address address;
    StateMachine* machine;
  };
  struct Timer {
    Address owner;
    TimerId id;
  };

  static std::pair<int, int> key(Address a) { return {static_cast<int>(a.kind), a.index}; }

  bool blocked(const Envelope& e) const
  {
    const auto cut = [&](Address a) { return std::find(isolated_.begin(), isolated_.end(), a) != isolated_.end(); };
    return cut(e.from) || cut(e.to) || std::any_of(filters_.begin(), filters_.end(), [&](const Match& f) { return f(e); });
  }

  void enqueue(Envelope envelope)
  {
    if (blocked(envelope))
      ++dropped_;
    else
      in_flight_.push_back(std::move(envelope));
  }

  // A Ready's messages join the queue in the order the machine produced them.
  void take(Address owner, Ready ready)
  {
    for (Envelope& e : ready.messages)
      enqueue(std::move(e));
    for (const TimerRequest& t : ready.timers)
      timers_.emplace(t.deadline, Timer{owner, t.id});  // multimap: equal deadlines keep insertion order
  }

  std::map<std::pair<int, int>, Entry> machines_;
  std::deque<Envelope> in_flight_;
  std::vector<Envelope> delivered_;
  std::vector<Match> filters_;
  std::vector<Address> isolated_;
  std::multimap<Time, Timer> timers_;
  std::size_t dropped_ = 0;
  Time now_ = 0;
};

// Matches for drop/deliver_first: a message of type T to `to`, or to anyone.
template <typename T>
FakeNetwork::Match is(Address to)
{
  return [to](const Envelope& e) { return std::holds_alternative<T>(e.message) && e.to == to; };
}

template <typename T>
FakeNetwork::Match is_any()
{
  return [](const Envelope& e) { return std::holds_alternative<T>(e.message); };
}

}  // namespace replisim::test
