// What a state machine asks its driver to do after one input (etcd raft's
// Ready): send these messages, set these timers. The driver must send the
// messages in order; timers are absolute deadlines, so an idle node is never
// woken just to count ticks.
#pragma once
#include <vector>

#include "protocols/messages.hpp"

namespace replisim {

struct TimerRequest {
  TimerId id = 0;
  Time deadline = 0;
};

struct Ready {
  std::vector<Envelope> messages;
  std::vector<TimerRequest> timers;

  void send(Address from, Address to, Message message)
  {
    messages.push_back(Envelope{from, to, std::move(message)});
  }
  void set_timer(TimerId id, Time deadline) { timers.push_back({id, deadline}); }
  bool empty() const { return messages.empty() && timers.empty(); }
};

}  // namespace replisim
