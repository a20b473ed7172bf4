// What a client driver believes about who leads each unit, and how it
// learns it, as the drivers of the leader-based systems do with failover:
//  - MongoDB's drivers (Server Discovery and Monitoring specification) check
//    every member with `hello` every heartbeatFrequencyMS (10 s), and at once,
//    no more often than minHeartbeatFrequencyMS (500 ms), after a "not
//    primary" error or a network error; the primary is the member that says
//    it is one, with the highest electionId; an operation waits up to
//    serverSelectionTimeoutMS (30 s) for a primary, and retryWrites retries
//    a write once.
//  - Kafka's producer refreshes its metadata on NOT_LEADER_OR_FOLLOWER or a
//    lost connection, with retry.backoff.ms between requests, and every
//    metadata.max.age.ms (5 min); a record waits for its partition's leader,
//    and is retried, within delivery.timeout.ms (120 s).
//  - A Raft client (Ongaro and Ousterhout §8) goes where a refusal points it,
//    and looks for the leader again only after a refusal or a timeout.
// No oracle: the client learns by asking the unit's replicas (LeaderQuery),
// each of which says whether it leads and at which term (LeaderInfo).
#pragma once
#include <limits>
#include <map>
#include <vector>

#include "protocols/common/types.hpp"

namespace replisim {

// The driver's settings (ClientConfig::discovery). Off: the client sends to
// where its router says, as without failover.
struct LeaderDiscovery {
  bool enabled = false;
  // Every unit the client has written to is checked this often
  // (heartbeatFrequencyMS, metadata.max.age.ms); kNever: only when in doubt.
  Time refresh_interval = kNever;
  // The least time between two checks of one unit (minHeartbeatFrequencyMS,
  // retry.backoff.ms); while operations wait for a leader, the unit is
  // checked again this often.
  Time min_refresh_interval = 0.5;
  // An operation with no leader to go to waits this long for one, then fails
  // (serverSelectionTimeoutMS).
  Time leader_wait = 30;
  // An operation ends by its start plus this, attempts and waits included
  // (Kafka's delivery.timeout.ms); kNever: no bound.
  Time delivery_timeout = kNever;
  // A refusal that names the leader moves the view there at once (Raft's
  // redirect; Kafka 3.7's KIP-951 leader in the produce response); otherwise
  // the client checks the unit's replicas (MongoDB's drivers).
  bool follow_hints = false;
};

// What a preset's drivers bring besides discovery: the retries a client
// makes when --retries is not given (MongoDB's retryWrites and retryReads:
// one; Kafka's producer: as many as delivery.timeout.ms allows; Raft: none).
// The longest backoff between two is the run's --retry-backoff-max, Kafka's
// retry.backoff.max.ms for every model.
struct DriverDefaults {
  LeaderDiscovery discovery;
  int retries = 0;
};

// Per unit: the leader the client believes, and the highest term it has
// heard a leader claim, so that a deposed leader heard late is not taken back.
class LeaderView {
public:
  static constexpr Time kNeverChecked = -std::numeric_limits<Time>::infinity();

  // Starts the unit's view at `placed` (the leader as placed) if it has none.
  void start(UnitId unit, NodeId placed);
  bool has(UnitId unit) const { return units_.count(unit) != 0; }
  // The leader believed; kNoNode: unknown (operations wait for a check).
  NodeId leader(UnitId unit) const;
  // A replica's answer to a check. One that leads at a term no lower than
  // any claim heard is the leader; the believed leader saying it does not
  // lead is forgotten. Returns whether the believed leader changed.
  bool answer(UnitId unit, NodeId from, bool leads, Term term);
  // `node` acknowledged a write of the unit: it led when it did.
  void acknowledged(UnitId unit, NodeId node);
  // A refusal naming `hint`: the believed leader becomes the hint.
  void redirected(UnitId unit, NodeId hint);
  // `node` timed out or refused: if it is the believed leader, forget it.
  void suspect(UnitId unit, NodeId node);

  // The checks: when the unit was last checked, and whether one is due.
  Time last_check(UnitId unit) const;
  void checked(UnitId unit, Time now);
  std::vector<UnitId> units() const;  // ascending

private:
  struct Entry {
    NodeId leader = kNoNode;
    Term term = 0;
    Time last_check = kNeverChecked;
  };
  std::map<UnitId, Entry> units_;
};

}  // namespace replisim
