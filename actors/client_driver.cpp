#include "actors/client_driver.hpp"

#include <simgrid/s4u/Engine.hpp>

namespace replisim {

ClientDriver::ClientDriver(ClientMachine& machine, Address self, Network& network, TimerQueue& timers,
                           const MessageSizes& sizes, Traffic& traffic, CompletionSink sink,
                           std::function<void()> on_done)
    : MachineDriver(machine, self, network, timers, sizes, traffic), client_(machine), sink_(std::move(sink)),
      on_done_(std::move(on_done))
{
}

void ClientDriver::receive(Envelope&& message)
{
  if (done_)
    return;
  ++traffic_.msgs_received;
  carry_out(machine_.step(message, sg4::Engine::get_clock()), 0);
  after_input();
}

void ClientDriver::after_input()
{
  for (const Completion& c : client_.take_completed())
    sink_(c);
  if (!done_ && client_.done()) {
    done_ = true;
    on_done_();
  }
}

}  // namespace replisim
