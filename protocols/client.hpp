// A client of the datastore as a state machine: it draws operations from the
// workload, sends each to the node its router names, and records how each one
// ended. Closed loop keeps `concurrency` operations outstanding; open loop
// issues operations at Poisson arrivals whatever is outstanding.
#pragma once
#include <map>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "protocols/placement.hpp"
#include "protocols/state_machine.hpp"
#include "protocols/workload.hpp"

namespace replisim {

// Which node serves an operation: the model's client-side routing.
class Router {
public:
  virtual ~Router() = default;
  virtual NodeId route(OpKind kind, UnitId unit, Rng& rng) const = 0;
  // The primary of `unit` that ops.csv reports for an operation sent to
  // `coordinator`: the placement's, unless a model has several primaries.
  virtual NodeId primary(const Placement& placement, UnitId unit, NodeId /*coordinator*/) const
  {
    return placement.primary(unit);
  }
};

struct ClientConfig {
  ClientId id = 0;
  int client_count = 1;       // op ids interleave clients: client c's k-th op is k·count + c
  std::uint64_t ops = 0;
  int concurrency = 1;        // closed loop: operations outstanding at once
  double rate = 0;            // open loop: mean operations per second; 0 = closed loop
  Time timeout = 2.0;         // an operation unanswered this long ends as a timeout
  std::uint64_t seed = 0;
};

// One finished operation, as ops.csv reports it.
struct Completion {
  OpId op = 0;
  ClientId client = 0;
  OpKind kind = OpKind::write;
  Key key = 0;
  UnitId unit = 0;
  NodeId coordinator = kNoNode;
  NodeId primary = kNoNode;
  Time start = 0;
  Time end = 0;
  Time committed = -1;  // writes: when the leader or coordinator held the acks it needed; -1: unknown
  int acks = 0;
  Outcome outcome = Outcome::ok;
  Version version = 0;
  Time queued = 0;  // seconds its critical path waited in node inboxes
};

class ClientMachine final : public StateMachine {
public:
  ClientMachine(ClientConfig config, const Placement& placement, const Router& router, Workload workload);

  Ready start(Time now) override;
  Ready step(const Envelope& in, Time now) override;
  Ready on_timer(TimerId id, Time now) override;

  bool done() const { return finished_ == config_.ops; }
  // When the oldest operation still outstanding started; kNever if none.
  Time oldest_outstanding() const { return outstanding_.empty() ? kNever : outstanding_.begin()->second.start; }
  // Operations finished since the last call, in the order they finished.
  std::vector<Completion> take_completed() { return std::exchange(completed_, {}); }

private:
  static constexpr TimerId kArrivalTimer = ~TimerId{0};

  void issue(Time now, Ready& out);
  void finish(const Envelope* reply, OpId op, Time now, Outcome outcome, int acks, Version version,
              Time committed, Ready& out);
  void fill_window(Time now, Ready& out);
  void schedule_arrival(Time now, Ready& out);
  Address self() const { return Address::client(config_.id); }

  ClientConfig config_;
  const Placement& placement_;
  const Router& router_;
  Workload workload_;
  Rng rng_;          // the workload's draws: which key, read or write
  Rng routing_rng_;  // the router's, apart: read routing never shifts the workload
  std::uint64_t issued_ = 0;
  std::uint64_t finished_ = 0;
  std::map<OpId, Completion> outstanding_;  // op ids grow with issue time: the first is the oldest
  std::vector<Completion> completed_;
};

}  // namespace replisim
