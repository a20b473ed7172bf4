// Drives one state machine: messages reach it through the network's couriers
// (see network.hpp), and one actor per machine sleeps until its next timer.
// A client's actor also keeps the simulation alive until the client is done.
#pragma once
#include <functional>
#include <queue>
#include <vector>

#include "actors/network.hpp"
#include "actors/wire.hpp"
#include "protocols/state_machine.hpp"

namespace replisim {

class MachineDriver {
public:
  // `after_input` runs after start, every message and every timer; returning
  // false means the machine is done (its actor then ends).
  MachineDriver(StateMachine& machine, Address self, Network& network, const MessageSizes& sizes, Traffic& traffic,
                std::function<bool()> after_input);

  void deliver(const Envelope& message);  // from a courier
  void run();                             // the machine's own actor

private:
  struct Timer {
    Time deadline;
    TimerId id;
    bool operator>(const Timer& other) const { return deadline > other.deadline; }
  };

  void carry_out(Ready ready);
  void after_input();

  StateMachine& machine_;
  Address self_;
  Network& network_;
  const MessageSizes& sizes_;
  Traffic& traffic_;
  std::function<bool()> after_input_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  sg4::SemaphorePtr wake_ = sg4::Semaphore::create(0);  // a new earlier timer, or done
  Time sleeping_until_ = kNever;
  bool done_ = false;
  std::vector<std::uint64_t> sizes_scratch_;
};

}  // namespace replisim
