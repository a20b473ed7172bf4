// The one interface the actors drive. A model's node and the workload's client
// both implement it; neither sees SimGrid, a clock or a global RNG.
#pragma once
#include <utility>
#include <vector>

#include "protocols/common/ready.hpp"

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

// A change of who leads a unit, as the node that saw it reports it: the
// run's metrics (time without a leader, elections) and invariant checks are
// built from these.
struct RoleEvent {
  enum class Kind : std::uint8_t {
    became_leader,      // `node` leads `unit` from now, at `term`
    stopped_leading,    // `node` no longer leads `unit` (stepped down; a crash is reported by the driver)
    election_started,   // `node` stood for `unit` at `term`
    election_lost,      // `node`'s candidacy at `term` ended without a majority (a split vote, or a newer term)
  };
  Kind kind = Kind::became_leader;
  UnitId unit = 0;
  NodeId node = kNoNode;
  Term term = 0;
  Time at = 0;
};

// A datastore node of any model.
//
// Crashes: the node's host goes off. Its driver calls crash() and forgets the
// node's timers and inbox; everything volatile (pending requests, buffered
// entries, the roles a node only holds in memory) is lost, the durable state
// (logs, data, terms, votes) survives. When the host comes back, recover()
// resumes from the durable state. Every node hears when another goes down
// or comes back (membership_changed): an oracle failure detector, unless the
// model runs a detector of its own (gossip.hpp, timeout_detector.hpp), for
// which it is only the ground truth of who stopped heartbeating.
class NodeMachine : public StateMachine {
public:
  virtual const NodeCounters& counters() const = 0;
  virtual void crash(Time /*now*/) {}
  virtual Ready recover(Time now) { return start(now); }
  virtual Ready membership_changed(Time /*now*/) { return {}; }
  // Role changes since the last call, in the order they happened.
  std::vector<RoleEvent> take_role_events() { return std::exchange(role_events_, {}); }

protected:
  void report(RoleEvent event) { role_events_.push_back(event); }

private:
  std::vector<RoleEvent> role_events_;
};

}  // namespace replisim
