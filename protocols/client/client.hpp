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

#include "protocols/common/placement.hpp"
#include "protocols/common/state_machine.hpp"
#include "protocols/client/workload.hpp"

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
  // Where the client retries an operation whose attempt at `previous` timed
  // out or was refused without naming a leader: by default the unit's next
  // replica after `previous`, round robin in placement order (a client
  // driver's failover to the next host of its list). Routers whose models
  // have no single leader per unit override it (a new coordinator).
  virtual NodeId retry_target(OpKind kind, UnitId unit, NodeId previous, const Placement& placement, Rng& rng) const;
  // Whether the node that acknowledges a write is the unit's one writable
  // leader, so that a client retrying writes keeps sending the unit's writes
  // there (a driver's refreshed view of the primary, a producer's refreshed
  // metadata) rather than back to a leader that timed out.
  virtual bool acks_name_the_leader() const { return false; }
};

struct ClientConfig {
  ClientId id = 0;
  int client_count = 1;       // op ids interleave clients: client c's k-th op is k·count + c
  std::uint64_t ops = 0;
  int concurrency = 1;        // closed loop: operations outstanding at once
  double rate = 0;            // open loop: mean operations per second; 0 = closed loop
  Time timeout = 2.0;         // an attempt unanswered this long times out
  std::uint64_t seed = 0;
  // Attempts after the first for an operation that timed out or was refused
  // (with a leader hint, or as unavailable). 0: every operation is one
  // attempt, and the leader a refusal names is ignored.
  int retries = 0;
  // Seconds before the first retry; each later retry waits twice as long as
  // the one before (exponential backoff: retry k waits retry_backoff·2^(k−1)).
  Time retry_backoff = 0.1;
  // The longest a retry waits: the doubling stops there, as the Kafka
  // producer's retry.backoff.max.ms (1000 ms by default, KIP-580).
  Time retry_backoff_max = 1.0;
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
  // ok: answered (a write committed). failed: refused, every attempt (a write
  // did not commit). timeout: unknown, no answer to its last attempt or an
  // earlier attempt timed out (a write may have committed).
  Outcome outcome = Outcome::ok;
  Version version = 0;
  Time queued = 0;  // seconds its critical path waited in node inboxes
  int attempts = 1;  // 1 + the retries it used
};

class ClientMachine final : public StateMachine {
public:
  ClientMachine(ClientConfig config, const Placement& placement, const Router& router, Workload workload);

  Ready start(Time now) override;
  Ready step(const Envelope& in, Time now) override;
  Ready on_timer(TimerId id, Time now) override;

  bool done() const { return finished_ == config_.ops; }
  // When the oldest operation still outstanding started; kNever if none.
  Time oldest_outstanding() const { return outstanding_.empty() ? kNever : outstanding_.begin()->second.op.start; }
  // Operations finished since the last call, in the order they finished.
  std::vector<Completion> take_completed() { return std::exchange(completed_, {}); }
  // The leader the latest refusal named for `unit`'s writes; kNoNode if none
  // (or hints are off: retries 0). Cleared when a write of the unit times out.
  NodeId leader_hint(UnitId unit) const;

private:
  static constexpr TimerId kArrivalTimer = ~TimerId{0};

  // An operation in progress: its record, and where its current attempt is.
  struct Outstanding {
    Completion op;
    NodeId target = kNoNode;        // the node the current attempt went to
    std::vector<NodeId> earlier;    // nodes earlier attempts went to
    bool backing_off = false;       // waiting to send the next attempt
    bool maybe_committed = false;   // a write attempt timed out, or was refused after replicas took it
  };

  void issue(Time now, Ready& out);
  void send_attempt(Outstanding& o, Time now, Ready& out);
  void finish(const Envelope* reply, OpId op, Time now, Outcome outcome, int acks, Version version,
              Time committed, Ready& out);
  // A refusal or a timeout of op's current attempt: retry it, or end it.
  void attempt_failed(OpId op, bool timed_out, NodeId hint, int acks, const Envelope* reply, Time now, Ready& out);
  void on_reply(const Envelope& in, OpId op, bool ok, int acks, Version version, Time committed, NodeId hint,
                Time now, Ready& out);
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
  std::map<OpId, Outstanding> outstanding_;  // op ids grow with issue time: the first is the oldest
  std::vector<Completion> completed_;
  std::unordered_map<UnitId, NodeId> leader_hints_;  // unit → the leader a refusal named (retries > 0 only)
};

}  // namespace replisim
