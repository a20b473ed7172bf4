// One actor drives one state machine: it delivers mailbox messages and due
// timers to the machine and carries out what the machine asks in return.
#pragma once
#include <functional>
#include <queue>
#include <vector>

#include <simgrid/s4u.hpp>

#include "actors/wire.hpp"
#include "protocols/state_machine.hpp"

namespace replisim {

namespace sg4 = simgrid::s4u;

// Address → mailbox, for every node and client of the run.
struct Mailboxes {
  std::vector<sg4::Mailbox*> nodes;
  std::vector<sg4::Mailbox*> clients;
  sg4::Mailbox* of(Address a) const { return a.is_node() ? nodes.at(a.index) : clients.at(a.index); }
};

class MachineActor {
public:
  // `after_input` runs after every step and timer; returning false ends the actor.
  MachineActor(StateMachine& machine, Address self, const Mailboxes& mailboxes, const MessageSizes& sizes,
               Traffic& stats, std::function<bool()> after_input);
  void operator()();

private:
  struct Timer {
    Time deadline;
    TimerId id;
    bool operator>(const Timer& other) const { return deadline > other.deadline; }
  };

  void carry_out(Ready ready);

  StateMachine& machine_;
  Address self_;
  const Mailboxes& mailboxes_;
  const MessageSizes& sizes_;
  Traffic& stats_;
  std::function<bool()> after_input_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
};

}  // namespace replisim
