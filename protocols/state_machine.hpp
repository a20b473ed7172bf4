// The one interface the actors drive. A model's node and the workload's client
// both implement it; neither sees SimGrid, a clock or a global RNG.
#pragma once
#include "protocols/ready.hpp"

namespace replisim {

class StateMachine {
public:
  virtual ~StateMachine() = default;
  virtual Ready start(Time /*now*/) { return {}; }
  virtual Ready step(const Envelope& in, Time now) = 0;
  virtual Ready on_timer(TimerId /*id*/, Time /*now*/) { return {}; }
};

// What a node did, for the role report.
struct NodeCounters {
  std::uint64_t writes_led = 0;         // client writes this node ordered as leader/coordinator
  std::uint64_t writes_replicated = 0;  // writes applied on behalf of another node's lead
};

// A datastore node of any model.
class NodeMachine : public StateMachine {
public:
  virtual const NodeCounters& counters() const = 0;
};

}  // namespace replisim
