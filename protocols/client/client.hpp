// A client of the datastore as a state machine: it draws operations from the
// workload, sends each to the node its router names, and records how each one
// ended. Closed loop keeps `concurrency` operations outstanding; open loop
// issues operations at Poisson arrivals whatever is outstanding.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "protocols/common/placement.hpp"
#include "protocols/common/state_machine.hpp"
#include "protocols/client/leader_view.hpp"
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
  // Whether `kind` goes to the unit's one leader, so that a client with
  // leader discovery on (LeaderDiscovery) sends it where its view says.
  virtual bool to_leader(OpKind /*kind*/) const { return false; }
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
  // With failover, in models with a leader per unit: the driver's view of
  // each unit's leader and how it is kept (leader_view.hpp).
  LeaderDiscovery discovery;
  // The client stamps its writes with its own clock, this far ahead of true
  // time (seconds; negative: behind), as a Cassandra driver sets each
  // write's timestamp; none: the node that takes a write stamps it.
  std::optional<Time> clock_offset;
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
  // Ok reads: the write whose value it returned (its op; none: the key was
  // never written, or a model whose replicas keep versions only) and, leader-based models, the term of
  // its log entry; ok writes: the term of their own entry. With `version`,
  // the term places a write in its key's history: a write of a later term
  // is newer, whatever its version (a new leader reuses version numbers its
  // predecessor gave to writes that never committed).
  std::optional<OpId> write;
  Term term = 0;
  bool uncommitted = false;  // ok reads: the replica did not know the write it returned committed
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
  // With leader discovery on: the leader the client's view holds.
  NodeId leader_hint(UnitId unit) const;
  // Operations waiting for their unit's leader to be known (discovery on).
  std::size_t waiting_for_leader() const;

private:
  // Timer ids. An attempt's timeout is the op id with the attempt's number
  // less one in bits 56–62, so that the first attempt's is the op id itself
  // (as before retries existed) and a deadline left over from an earlier
  // attempt is recognised and ignored; the wait before a retry sets bit 55
  // too. The arrival timer is all ones, which no op's timer is.
  static constexpr int kAttemptShift = 56;
  static constexpr TimerId kBackoffBit = TimerId{1} << 55;
  static constexpr TimerId kOpMask = kBackoffBit - 1;
  static TimerId timeout_timer(OpId op, int attempt)
  {
    return op | (static_cast<TimerId>(attempt - 1) << kAttemptShift);
  }
  static TimerId backoff_timer(OpId op, int attempt) { return timeout_timer(op, attempt) | kBackoffBit; }
  static constexpr TimerId kArrivalTimer = ~TimerId{0};
  // Timers of leader discovery (client_discovery.cpp): bit 63 set, the kind
  // in bits 60–62, a unit or an op below; no attempt's timer sets bit 63.
  static constexpr TimerId kDiscoveryBit = TimerId{1} << 63;
  enum class DiscoveryTimer : std::uint8_t { check = 1, periodic = 2, leader_wait = 3, delivery = 4 };
  static TimerId discovery_timer(DiscoveryTimer kind, std::uint64_t payload)
  {
    return kDiscoveryBit | (static_cast<TimerId>(kind) << 60) | payload;
  }

  // An operation in progress: its record, and where its current attempt is.
  struct Outstanding {
    Completion op;
    NodeId target = kNoNode;        // the node the current attempt went to
    std::vector<NodeId> earlier;    // nodes earlier attempts went to
    bool backing_off = false;       // waiting to send the next attempt
    bool maybe_committed = false;   // a write attempt timed out, or was refused after replicas took it
    bool waiting = false;           // discovery: no leader known to send the attempt to
    Time wait_until = kNever;       // discovery: it fails if still waiting then
  };

  void issue(Time now, Ready& out);
  void send_attempt(Outstanding& o, Time now, Ready& out);
  void finish(const Envelope* reply, OpId op, Time now, Outcome outcome, int acks, Version version,
              Time committed, Ready& out);
  // A refusal or a timeout of op's current attempt: retry it, or end it.
  void attempt_failed(OpId op, bool timed_out, NodeId hint, int acks, const Envelope* reply, Time now, Ready& out);
  // `timed_out`: a coordinator's timeout (the write may have been applied), not a refusal.
  void on_reply(const Envelope& in, OpId op, bool ok, int acks, Version version, Time committed, NodeId hint,
                bool timed_out, Time now, Ready& out);
  void fill_window(Time now, Ready& out);
  void schedule_arrival(Time now, Ready& out);
  Address self() const { return Address::client(config_.id); }
  Time backoff(int attempt) const;

  // client_discovery.cpp: the driver's view of each unit's leader.
  bool discovers(OpKind kind) const { return config_.discovery.enabled && router_.to_leader(kind); }
  void dispatch(Outstanding& o, Time now, Ready& out);  // to the leader, or wait for one
  void request_check(UnitId unit, Time now, Ready& out);
  void send_check(UnitId unit, Time now, Ready& out);
  void on_leader_info(const LeaderInfo& m, Address from, Time now, Ready& out);
  void release_waiting(UnitId unit, Time now, Ready& out);
  void learn_from_failure(Outstanding& o, bool timed_out, NodeId from, NodeId hint, Time now, Ready& out);
  void on_discovery_timer(TimerId id, Time now, Ready& out);
  void give_up(OpId id, Time now, Ready& out);  // a leader wait or the delivery timeout ran out
  bool all_done() const { return issued_ == config_.ops && outstanding_.empty(); }

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
  LeaderView view_;                                  // discovery on
  std::map<UnitId, bool> armed_checks_;              // unit → a check timer set; true: one was asked for
};

}  // namespace replisim
