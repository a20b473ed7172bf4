// One actor drives one state machine: it delivers arrived messages and due
// timers to the machine and carries out what the machine asks in return.
#pragma once
#include <functional>
#include <queue>
#include <vector>

#include "actors/network.hpp"
#include "actors/wire.hpp"
#include "protocols/state_machine.hpp"

namespace replisim {

class MachineActor {
public:
  // `after_input` runs after start, every message and every timer; returning
  // false ends the actor.
  MachineActor(StateMachine& machine, Address self, Network& network, const MessageSizes& sizes, Traffic& traffic,
               std::function<bool()> after_input);
  void operator()();

private:
  struct Timer {
    Time deadline;
    TimerId id;
    bool operator>(const Timer& other) const { return deadline > other.deadline; }
  };

  void carry_out(Ready ready);
  bool fire_timers_due_by(Time due);

  StateMachine& machine_;
  Address self_;
  Network& network_;
  const MessageSizes& sizes_;
  Traffic& traffic_;
  std::function<bool()> after_input_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
};

}  // namespace replisim
