// Drives a workload client: it handles each reply the moment it arrives (a
// client has no inbox or processing cost to model), hands finished
// operations to the run's sink, and says when it is done.
#pragma once
#include <functional>

#include "actors/machine_driver.hpp"
#include "protocols/client/client.hpp"

namespace replisim {

using CompletionSink = std::function<void(const Completion&)>;

class ClientDriver final : public MachineDriver {
public:
  ClientDriver(ClientMachine& machine, Address self, Network& network, TimerQueue& timers, const MessageSizes& sizes,
               Traffic& traffic, CompletionSink sink, std::function<void()> on_done);

  void receive(Envelope&& message) override;

private:
  void after_input() override;

  ClientMachine& client_;
  CompletionSink sink_;
  std::function<void()> on_done_;
  bool done_ = false;
};

}  // namespace replisim
