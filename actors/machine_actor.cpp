#include "actors/machine_actor.hpp"

#include <algorithm>

namespace replisim {

MachineActor::MachineActor(StateMachine& machine, Address self, Network& network, const MessageSizes& sizes,
                           Traffic& traffic, std::function<bool()> after_input)
    : machine_(machine), self_(self), network_(network), sizes_(sizes), traffic_(traffic),
      after_input_(std::move(after_input))
{
}

void MachineActor::carry_out(Ready ready)
{
  for (Envelope& envelope : ready.messages) {
    const std::uint64_t size = sizes_.of(envelope.message);
    ++traffic_.msgs_sent;
    traffic_.bytes_sent += size;
    traffic_.write_path_msgs_sent += is_write_path(envelope.message) ? 1 : 0;
    network_.send(std::move(envelope), size);
  }
  for (const TimerRequest& t : ready.timers)
    timers_.push({t.deadline, t.id});
}

// Fires every timer due by `due`, the deadline just waited for (comparing with
// the clock instead could miss one by a rounding error).
bool MachineActor::fire_timers_due_by(Time due)
{
  while (!timers_.empty() && timers_.top().deadline <= due) {
    const TimerId id = timers_.top().id;
    timers_.pop();
    carry_out(machine_.on_timer(id, sg4::Engine::get_clock()));
    if (!after_input_())
      return false;
  }
  return true;
}

void MachineActor::operator()()
{
  Network::Endpoint& inbox = network_.endpoint(self_);
  carry_out(machine_.start(sg4::Engine::get_clock()));
  if (!after_input_())
    return;
  for (;;) {
    if (timers_.empty()) {
      inbox.arrived->acquire();
    } else {
      const Time due = timers_.top().deadline;
      const bool timed_out = inbox.arrived->acquire_timeout(std::max(0.0, due - sg4::Engine::get_clock()));
      if (timed_out) {
        if (!fire_timers_due_by(due))
          return;
        continue;
      }
    }
    std::unique_ptr<Envelope> message = std::move(inbox.inbox.front());
    inbox.inbox.pop_front();
    ++traffic_.msgs_received;
    carry_out(machine_.step(*message, sg4::Engine::get_clock()));
    if (!after_input_())
      return;
  }
}

}  // namespace replisim
