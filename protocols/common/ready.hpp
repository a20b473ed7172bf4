// What a state machine asks its driver to do after one input (etcd raft's
// Ready): make these records durable, send these messages, set and cancel
// these timers. Ordering rules the driver keeps:
//  - messages leave in the order given, and only once the `persist` records
//    are on disk (etcd's rule: persist before sending), when the run makes
//    writes durable (--sync-writes); otherwise at once;
//  - timers are absolute deadlines, so an idle node is never woken just to
//    count ticks; setting an id that is already set moves its deadline, and
//    cancelling an id that is not set does nothing.
#pragma once
#include <vector>

#include "protocols/common/messages.hpp"

namespace replisim {

struct TimerRequest {
  TimerId id = 0;
  Time deadline = 0;
};

struct Ready {
  std::vector<Envelope> messages;
  std::vector<TimerRequest> timers;
  std::vector<TimerId> cancelled_timers;
  std::uint32_t persist = 0;  // values this step wrote to the node's durable state

  void send(Address from, Address to, Message message)
  {
    messages.push_back(Envelope{from, to, std::move(message)});
  }
  void set_timer(TimerId id, Time deadline) { timers.push_back({id, deadline}); }
  void cancel_timer(TimerId id) { cancelled_timers.push_back(id); }
  bool empty() const { return messages.empty() && timers.empty() && cancelled_timers.empty() && persist == 0; }
};

}  // namespace replisim
