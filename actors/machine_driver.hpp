// What every driver of a state machine does with a Ready: send its messages
// (sized, counted), set and cancel its timers. A node's server (server.hpp)
// and a client (client_driver.hpp) differ only in when a message is handled.
#pragma once
#include <unordered_map>

#include "actors/network.hpp"
#include "actors/timers.hpp"
#include "actors/wire.hpp"
#include "protocols/common/state_machine.hpp"

namespace replisim {

class MachineDriver : public Receiver, public TimerListener {
public:
  MachineDriver(StateMachine& machine, Address self, Network& network, TimerQueue& timers, const MessageSizes& sizes,
                Traffic& traffic);
  MachineDriver(const MachineDriver&) = delete;
  MachineDriver& operator=(const MachineDriver&) = delete;

  // Gives the machine its start input.
  virtual void start();

  void timer_fired(std::uint64_t id, std::uint64_t ticket) override;

protected:
  ~MachineDriver() = default;

  // Timers of `ready`, set and cancelled.
  void schedule(const Ready& ready);
  // Sends `messages` in order, each carrying `queued` (see Envelope::queued).
  void send(std::vector<Envelope>& messages, Time queued);
  // The machine took an input; `ready` is its answer.
  virtual void carry_out(Ready ready, Time queued);
  // Called after every input the machine took.
  virtual void after_input() {}
  // Forgets every timer (a crash).
  void forget_timers() { live_timers_.clear(); }

  StateMachine& machine_;
  Address self_;
  Network& network_;
  TimerQueue& timers_;
  const MessageSizes& sizes_;
  Traffic& traffic_;

private:
  std::unordered_map<TimerId, std::uint64_t> live_timers_;  // id → ticket of its current deadline
};

}  // namespace replisim
