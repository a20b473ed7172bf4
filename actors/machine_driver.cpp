#include "actors/machine_driver.hpp"

#include <simgrid/s4u/Engine.hpp>

namespace replisim {

MachineDriver::MachineDriver(StateMachine& machine, Address self, Network& network, TimerQueue& timers,
                             const MessageSizes& sizes, Traffic& traffic)
    : machine_(machine), self_(self), network_(network), timers_(timers), sizes_(sizes), traffic_(traffic)
{
}

void MachineDriver::start()
{
  carry_out(machine_.start(sg4::Engine::get_clock()), 0);
  after_input();
}

void MachineDriver::schedule(const Ready& ready)
{
  for (TimerId id : ready.cancelled_timers)
    live_timers_.erase(id);
  for (const TimerRequest& t : ready.timers)
    live_timers_[t.id] = timers_.set(t.deadline, *this, t.id);
}

void MachineDriver::send(std::vector<Envelope>& messages, Time queued)
{
  for (Envelope& envelope : messages) {
    const std::uint64_t size = sizes_.of(envelope.message);
    ++traffic_.msgs_sent;
    traffic_.bytes_sent += size;
    traffic_.write_path_msgs_sent += is_write_path(envelope.message) ? 1 : 0;
    envelope.queued = queued;
    network_.send(std::move(envelope), size);
  }
}

void MachineDriver::carry_out(Ready ready, Time queued)
{
  schedule(ready);
  send(ready.messages, queued);
}

void MachineDriver::timer_fired(std::uint64_t id, std::uint64_t ticket)
{
  const auto it = live_timers_.find(id);
  if (it == live_timers_.end() || it->second != ticket)
    return;  // cancelled, or moved to another deadline
  live_timers_.erase(it);
  carry_out(machine_.on_timer(id, sg4::Engine::get_clock()), 0);
  after_input();
}

}  // namespace replisim
