// Dynamo/Cassandra-style leaderless replication. Any node coordinates any
// operation (the write role, per request); the storage role belongs to the
// token range's replicas, the first of which is its primary. The coordinator
// stamps a write with a last-writer-wins timestamp, sends it to every live
// replica (itself included, as a message, so that every replica leg follows the
// same law) and answers the client once the consistency level's acks are in.
// Reads ask every live replica and answer with the newest version among the
// first answers the read level needs; read repair then pushes that version to
// replicas that answered with an older one.
#pragma once
#include <unordered_map>
#include <vector>

#include "protocols/consistency.hpp"
#include "protocols/membership.hpp"
#include "protocols/placement.hpp"
#include "protocols/state_machine.hpp"

namespace replisim {

struct LeaderlessConfig {
  Consistency write_level = Consistency::quorum;
  Consistency read_level = Consistency::one;
  bool read_repair = false;
  Time timeout = 2.0;  // Cassandra's write_request_timeout: unanswered, the operation fails
};

// The last-writer-wins timestamp of a write coordinated by `coordinator` at
// `now`: nanoseconds of the coordinator's clock, ties broken by node id.
Version lww_version(Time now, NodeId coordinator);

class LeaderlessNode final : public NodeMachine {
public:
  LeaderlessNode(NodeId self, const Placement& placement, const Membership& membership, LeaderlessConfig config);

  Ready step(const Envelope& in, Time now) override;
  Ready on_timer(TimerId id, Time now) override;
  const NodeCounters& counters() const override { return counters_; }
  Version version_of(Key key) const;

private:
  struct Request {
    Address client;
    OpId client_op = 0;
    Key key = 0;
    bool is_write = true;
    QuorumRule rule;
    std::vector<int> answers_per_zone;
    int asked = 0;      // replicas the request went to
    int answered = 0;   // replicas that have answered
    bool replied = false;
    Version newest = 0;                          // reads: newest version seen
    std::vector<std::pair<NodeId, Version>> seen;  // reads: who answered what, for read repair
  };

  void on(const ClientWrite& m, Address from, Time now, Ready& out);
  void on(const ClientRead& m, Address from, Time now, Ready& out);
  void on(const ReplicaWrite& m, Address from, Time now, Ready& out);
  void on(const ReplicaWriteAck& m, Address from, Time now, Ready& out);
  void on(const ReplicaRead& m, Address from, Time now, Ready& out);
  void on(const ReplicaReadReply& m, Address from, Time now, Ready& out);
  void on(const auto&, Address, Time, Ready&) {}

  // Opens a request to every live replica of `key`'s unit, or fails it at
  // once (Unavailable) when too few are live for its level.
  Request* open(Address client, OpId client_op, Key key, bool is_write, Time now, Ready& out);
  void answer(Request& r, Time now, Ready& out);
  void repair(Request& r, Ready& out);
  void forget_if_complete(OpId id, const Request& r);
  Address self() const { return Address::node(self_); }

  NodeId self_;
  const Placement& placement_;
  const Membership& membership_;
  LeaderlessConfig config_;
  std::unordered_map<Key, Version> data_;           // replica: durable
  std::unordered_map<OpId, Request> requests_;      // coordinator: volatile
  OpId next_request_ = 1;
  NodeCounters counters_;
};

}  // namespace replisim
