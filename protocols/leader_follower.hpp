// Leader-follower replication of a unit's log, the write path shared by
// MongoDB replica sets (one unit per node: the shard) and Kafka partitions
// (many units per node); what differs between the two models is the placement
// of units on nodes and the ack rule. Each unit's primary (storage role) is
// also its leader (write role). The leader orders
// every write of the shard into a log, pushes each entry to the secondaries,
// and acknowledges the client once the write concern's count of replicas holds
// it. Secondaries apply entries in log order and acknowledge cumulatively.
#pragma once
#include <deque>
#include <map>
#include <unordered_map>

#include "protocols/placement.hpp"
#include "protocols/raft_log.hpp"
#include "protocols/state_machine.hpp"
#include "protocols/write_concern.hpp"

namespace replisim {

class LeaderFollowerNode final : public NodeMachine {
public:
  // `min_insync` (Kafka's min.insync.replicas) applies to WriteConcern::all:
  // a write is refused at once when fewer replicas are in sync. Without
  // failures every replica is in sync.
  LeaderFollowerNode(NodeId self, const Placement& placement, WriteConcern concern, int min_insync = 1);

  Ready step(const Envelope& in, Time now) override;

  const NodeCounters& counters() const override { return counters_; }
  Version version_of(Key key) const;
  NodeId leader_of(UnitId unit) const;
  Term term_of(UnitId unit) const;
  LogIndex applied_index(UnitId unit) const;
  const std::vector<LogEntry>& log_of(UnitId unit) const;

private:
  struct PendingWrite {
    LogIndex index;
    Address client;
    OpId op;
    Version version;
  };
  // Survives a crash: the unit's term and its log.
  struct Durable {
    Term term = 1;
    NodeId leader = kNoNode;
    std::vector<LogEntry> log;  // entry i has log index i + 1
  };
  // Lost on a crash.
  struct Volatile {
    std::vector<LogIndex> match;         // leader: per replica, in replica-set order
    std::deque<PendingWrite> pending;    // leader: unacknowledged writes, by index
    std::map<LogIndex, Replicate> early;  // follower: entries that arrived ahead of a gap
  };
  struct UnitState {
    Durable durable;
    Volatile vol;
  };

  // One handler per message type, one per message type (called through std::visit).
  void on(const ClientWrite& m, Address from, Ready& out);
  void on(const ClientRead& m, Address from, Ready& out);
  void on(const Replicate& m, Address from, Ready& out);
  void on(const ReplicateAck& m, Address from, Ready& out);
  void on(const auto&, Address, Ready&) {}  // replies and other models' messages

  UnitState* unit_state(UnitId unit);
  const UnitState& unit_state_or_throw(UnitId unit) const;
  void apply(UnitState& unit, const LogEntry& entry);
  void acknowledge_committed(UnitState& state, Ready& out);
  Address self() const { return Address::node(self_); }

  NodeId self_;
  const Placement& placement_;
  WriteConcern concern_;
  int min_insync_;
  std::unordered_map<UnitId, UnitState> units_;
  std::unordered_map<Key, Version> data_;
  NodeCounters counters_;
  Time now_ = 0;  // the time of the input being handled
};

}  // namespace replisim
