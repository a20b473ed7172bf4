#include "actors/machine_actor.hpp"

#include <algorithm>

namespace replisim {

MachineDriver::MachineDriver(StateMachine& machine, Address self, Network& network, const MessageSizes& sizes,
                             Traffic& traffic, std::function<bool()> after_input)
    : machine_(machine), self_(self), network_(network), sizes_(sizes), traffic_(traffic),
      after_input_(std::move(after_input))
{
}

void MachineDriver::carry_out(Ready ready)
{
  sizes_scratch_.clear();
  for (const Envelope& envelope : ready.messages) {
    const std::uint64_t size = sizes_.of(envelope.message);
    sizes_scratch_.push_back(size);
    ++traffic_.msgs_sent;
    traffic_.bytes_sent += size;
    traffic_.write_path_msgs_sent += is_write_path(envelope.message) ? 1 : 0;
  }
  network_.send(ready.messages, sizes_scratch_);
  for (const TimerRequest& t : ready.timers)
    timers_.push({t.deadline, t.id});
}

// Wakes the machine's actor when it sleeps past the new earliest timer, or
// when the machine is done.
void MachineDriver::after_input()
{
  if (done_)
    return;
  done_ = !after_input_();
  if (done_ || (!timers_.empty() && timers_.top().deadline < sleeping_until_)) {
    sleeping_until_ = -kNever;  // one wake-up is enough
    wake_->release();
  }
}

void MachineDriver::deliver(const Envelope& message)
{
  if (done_)
    return;
  ++traffic_.msgs_received;
  carry_out(machine_.step(message, sg4::Engine::get_clock()));
  after_input();
}

void MachineDriver::run()
{
  carry_out(machine_.start(sg4::Engine::get_clock()));
  after_input();
  while (!done_) {
    sleeping_until_ = timers_.empty() ? kNever : timers_.top().deadline;
    const Time due = sleeping_until_;
    const bool timed_out = due == kNever ? (wake_->acquire(), false)
                                         : wake_->acquire_timeout(std::max(0.0, due - sg4::Engine::get_clock()));
    if (!timed_out)
      continue;  // woken: an earlier timer was set, or the machine is done
    // Fire every timer due by the deadline waited for (comparing with the
    // clock instead could miss one by a rounding error).
    while (!done_ && !timers_.empty() && timers_.top().deadline <= due) {
      const TimerId id = timers_.top().id;
      timers_.pop();
      carry_out(machine_.on_timer(id, sg4::Engine::get_clock()));
      after_input();
    }
  }
}

}  // namespace replisim
