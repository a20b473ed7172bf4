// Crashes, recoveries and membership changes of node machines on the fake
// network, driven the way the runtime drives them: a node that is down takes
// no message and no timer; it crashes (loses its volatile state), comes back
// (recover), and every node that is up hears each change (membership_changed)
// after the shared Membership is updated. What crash, recover and
// membership_changed return reaches the network through a "poke": a message
// the rig delivers to the node at once, which the node's Host answers with
// the Ready it holds, so that its messages and timers go through the network
// like any other. Pokes appear in the network's trace as ClientReads from
// client kPokeClient.
#pragma once
#include <map>
#include <utility>

#include "protocols/common/membership.hpp"
#include "protocols/common/state_machine.hpp"
#include "support/fake_network.hpp"

namespace replisim::test {

inline constexpr ClientId kPokeClient = 1 << 20;

inline bool is_poke(const Envelope& e) { return e.from == Address::client(kPokeClient); }

class Host final : public StateMachine {
public:
  explicit Host(NodeMachine& machine) : machine_(machine) {}

  Ready start(Time now) override { return machine_.start(now); }
  Ready step(const Envelope& in, Time now) override
  {
    if (is_poke(in))
      return std::exchange(held_, {});
    if (down_)
      return {};  // a message to a node that is down is lost
    return machine_.step(in, now);
  }
  Ready on_timer(TimerId id, Time now) override { return down_ ? Ready{} : machine_.on_timer(id, now); }

  NodeMachine& machine() { return machine_; }
  bool down() const { return down_; }

private:
  friend class Faults;
  NodeMachine& machine_;
  bool down_ = false;
  Ready held_;
};

class Faults {
public:
  Faults(FakeNetwork& net, Membership& membership) : net_(net), membership_(membership) {}

  void add(NodeId node, Host& host) { hosts_[node] = &host; }

  void crash(NodeId node)
  {
    Host& host = *hosts_.at(node);
    host.down_ = true;
    host.machine_.crash(net_.now());
    membership_.alive.at(node) = false;
    tell_others(node);
  }

  void recover(NodeId node)
  {
    Host& host = *hosts_.at(node);
    membership_.alive.at(node) = true;
    host.down_ = false;
    hand(node, host.machine_.recover(net_.now()));
    tell_others(node);
  }

private:
  void tell_others(NodeId changed)
  {
    for (auto& [n, host] : hosts_)
      if (n != changed && !host->down_)
        hand(n, host->machine_.membership_changed(net_.now()));
  }

  void hand(NodeId node, Ready ready)
  {
    hosts_.at(node)->held_ = std::move(ready);
    net_.inject({Address::client(kPokeClient), Address::node(node), ClientRead{0, 0}});
    net_.deliver_first([node](const Envelope& e) { return is_poke(e) && e.to == Address::node(node); });
  }

  FakeNetwork& net_;
  Membership& membership_;
  std::map<NodeId, Host*> hosts_;
};

}  // namespace replisim::test
