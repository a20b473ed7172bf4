// Dynamo/Cassandra-style leaderless replication. Any node coordinates any
// operation (the write role, per request); the storage role belongs to the
// token range's replicas, the first of which is its primary. The coordinator
// stamps a write with a last-writer-wins timestamp, sends it to every live
// replica (itself included, as a message, so that every replica leg follows the
// same law) and answers the client once the consistency level's acks are in.
// Reads ask every live replica and answer with the newest version among the
// first answers the read level needs; read repair then pushes that version to
// replicas that answered with an older one.
//
// Hinted handoff (Cassandra's): a coordinator writing to a replica it knows
// is down keeps a hint (the key and version, for that replica) instead of
// sending; when the replica comes back within max_hint_window of going down,
// the coordinator replays its hints for it and drops them. Hints never count
// toward a consistency level. Like Cassandra's hints directory they are on
// disk: a coordinator's crash keeps them.
#pragma once
#include <map>
#include <unordered_map>
#include <vector>

#include "protocols/leaderless/consistency.hpp"
#include "protocols/common/membership.hpp"
#include "protocols/common/placement.hpp"
#include "protocols/common/state_machine.hpp"

namespace replisim {

struct LeaderlessConfig {
  Consistency write_level = Consistency::quorum;
  Consistency read_level = Consistency::one;
  bool read_repair = false;
  Time timeout = 2.0;  // Cassandra's write_request_timeout: unanswered, the operation fails
  bool hinted_handoff = false;        // keep hints for down replicas and replay them when they return
  Time max_hint_window = 3 * 3600.0;  // Cassandra's max_hint_window: no hints for, or replays to, a
                                      // replica down this long (seconds)
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
  // Pending requests are lost; data and hints are on disk.
  void crash(Time now) override;
  // Back with its data and hints: replays those for replicas that came back
  // meanwhile.
  Ready recover(Time now) override;
  // Notes who went down (and when), and replays hints to replicas that came back.
  Ready membership_changed(Time now) override;

  Version version_of(Key key) const;
  // Hints this coordinator holds for `target`: key → newest version.
  const std::map<Key, Version>& hints_for(NodeId target) const;
  std::size_t hint_count() const;
  std::size_t requests_pending() const { return requests_.size(); }

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
  // Replies go to clients; leader queries come only from clients of models
  // with a leader per unit; the other families are other models' messages.
  using Ignored = IgnoredMessages<ClientReplies, LeaderQueries, LogReplication, RaftElections, KafkaControl,
                                  MultiLeaderReplication, ChainReplication>;

  // Opens a request to every live replica of `key`'s unit, or fails it at
  // once (Unavailable) when too few are live for its level.
  Request* open(Address client, OpId client_op, Key key, bool is_write, Time now, Ready& out);
  void answer(Request& r, Time now, Ready& out);
  void repair(Request& r, Ready& out);
  void forget_if_complete(OpId id, const Request& r);
  // Stores a hint for `target`, down, unless it has been down too long.
  void keep_hint(NodeId target, Key key, Version version, Time now, Ready& out);
  // Brings down_since_ up to date with the membership; replays (or, past the
  // window, drops) the hints of every replica that is back.
  void follow_membership(Time now, Ready& out);
  Address self() const { return Address::node(self_); }

  NodeId self_;
  const Placement& placement_;
  const Membership& membership_;
  LeaderlessConfig config_;
  std::unordered_map<Key, Version> data_;           // replica: durable
  std::unordered_map<OpId, Request> requests_;      // coordinator: volatile
  // Request ids keep growing across a crash, so that an answer to a request
  // from before the crash never matches a new one.
  OpId next_request_ = 1;
  // Hinted handoff, durable: per down replica, key → newest version to hand
  // it; and when this node learnt each replica that is down went down (only
  // those: a vector per node of every node would grow with nodes², 800 MB
  // at 10,000 nodes).
  std::map<NodeId, std::map<Key, Version>> hints_;
  std::map<NodeId, Time> down_since_;
  NodeCounters counters_;
};

}  // namespace replisim
