// LeaderFollowerNodes with failover on the fake network, with what a run's
// driver does for a node (a crashed node hears nothing until it recovers) and
// Raft's safety properties (Ongaro and Ousterhout, USENIX ATC 2014, Figure 3)
// checked after every single input a node handles:
//  - Election Safety: "at most one leader can be elected in a given term";
//  - Log Matching: "if two logs contain an entry with the same index and term,
//    then the logs are identical in all entries up through the given index";
//  - Leader Completeness: "if a log entry is committed in a given term, then
//    that entry will be present in the logs of the leaders for all
//    higher-numbered terms" (and State Machine Safety: no two nodes ever
//    commit different entries at one index);
//  - no write acknowledged at w:majority (or acks=all) is lost: it stays in
//    the logs of a majority of its unit's replicas and of every leader of its
//    term or a later one.
// The nodes compact their logs (LeaderFollowerNode's default): the cluster
// keeps each node's whole log as a shadow, rebuilt after every input from the
// entries the node keeps, and checks that a node only ever discarded entries
// it was seen to hold, with the terms it held them at. The invariants are
// checked on the whole logs.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "protocols/leader_follower/leader_follower.hpp"
#include "support/fake_network.hpp"
#include "support/keys.hpp"  // key_in, for the tests of this cluster

namespace replisim::test {

// The test's hand on a node: a message from here recovers it.
inline const Address kControl = Address::client(1'000'000);

class ElectionCluster;

// What a node's driver does for it (actors/machine_driver.*): a crashed node
// hears nothing, its timers included, until it recovers.
class Driven final : public StateMachine {
public:
  Driven(ElectionCluster& cluster, NodeId id, LeaderFollowerNode& node) : cluster_(cluster), id_(id), node_(node) {}
  Ready start(Time now) override;
  Ready step(const Envelope& in, Time now) override;
  Ready on_timer(TimerId id, Time now) override;
  bool down = false;

private:
  ElectionCluster& cluster_;
  NodeId id_;
  LeaderFollowerNode& node_;
};

// A write a client was told succeeded.
struct Acked {
  OpId op = 0;
  UnitId unit = 0;
  Key key = 0;
  Version version = 0;
  NodeId by = kNoNode;
  Term term = 0;  // the acknowledging leader's
};

class ElectionCluster {
public:
  using ConfigOf = std::function<FailoverConfig(NodeId)>;

  ElectionCluster(Placement p, WriteConcern concern, const ConfigOf& config_of, int min_insync = 1)
      : placement(std::move(p)), concern_(concern)
  {
    for (NodeId n = 0; n < placement.node_count(); ++n) {
      nodes.push_back(std::make_unique<LeaderFollowerNode>(n, placement, concern, min_insync, config_of(n)));
      driven.push_back(std::make_unique<Driven>(*this, n, *nodes.back()));
      net.add(Address::node(n), *driven.back());
    }
  }
  ElectionCluster(Placement p, WriteConcern concern, FailoverConfig config, int min_insync = 1)
      : ElectionCluster(std::move(p), concern, [config](NodeId) { return config; }, min_insync)
  {
  }

  LeaderFollowerNode& node(NodeId n) { return *nodes.at(static_cast<std::size_t>(n)); }
  const LeaderFollowerNode& node(NodeId n) const { return *nodes.at(static_cast<std::size_t>(n)); }
  bool is_down(NodeId n) const { return driven.at(static_cast<std::size_t>(n))->down; }
  void start() { net.start_all(); }

  // The host goes off: its messages in flight are lost, its volatile state too.
  void crash(NodeId n)
  {
    net.isolate(Address::node(n));
    node(n).crash(net.now());
    driven.at(static_cast<std::size_t>(n))->down = true;
  }
  void recover(NodeId n)
  {
    net.recover(Address::node(n));
    net.inject({kControl, Address::node(n), ClientRead{}});
    net.deliver_first([n](const Envelope& e) { return e.from == kControl && e.to == Address::node(n); });
  }

  void write(OpId op, Key key, NodeId to, ClientId client = 0)
  {
    net.inject({Address::client(client), Address::node(to), ClientWrite{op, key}});
  }

  // Delivers everything in flight, then moves the clock by `tick`, until
  // `duration` has passed: messages take no time, timers fire on time.
  void run_for(Time duration, Time tick)
  {
    const Time end = net.now() + duration;
    while (net.now() < end) {
      net.deliver_all();
      net.advance_to(std::min(end, net.now() + tick));
    }
    net.deliver_all();
  }

  // Runs, delivering everything at each tick, until `kind` has been reported
  // `count` times in all or `limit` has passed; whether it was.
  bool run_until(RoleEvent::Kind kind, std::size_t count, Time limit, Time tick)
  {
    const Time end = net.now() + limit;
    while (events_of(kind).size() < count && net.now() < end) {
      net.deliver_all();
      net.advance_to(net.now() + tick);
    }
    net.deliver_all();
    return events_of(kind).size() >= count;
  }

  // The live node that leads `unit` at the highest term; kNoNode if none.
  NodeId leader(UnitId unit) const
  {
    NodeId best = kNoNode;
    for (NodeId n : placement.replicas(unit))
      if (!is_down(n) && node(n).role_of(unit) == ReplicaRole::leader &&
          (best == kNoNode || node(n).term_of(unit) > node(best).term_of(unit)))
        best = n;
    return best;
  }

  std::vector<RoleEvent> events_of(RoleEvent::Kind kind) const
  {
    std::vector<RoleEvent> out;
    std::copy_if(events.begin(), events.end(), std::back_inserter(out), [&](const RoleEvent& e) { return e.kind == kind; });
    return out;
  }

  std::vector<WriteReply> replies(ClientId client = 0) const { return net.received<WriteReply>(Address::client(client)); }

  // Node n's whole log of `unit`, its discarded prefix included, as of its last input.
  const std::vector<LogEntry>& full_log(NodeId n, UnitId unit) const
  {
    static const std::vector<LogEntry> none;
    const auto it = shadows_.find({n, unit});
    return it == shadows_.end() ? none : it->second.entries;
  }

  // Every node's input goes through here: record its role events and the
  // writes it acknowledged, then check every invariant.
  Ready after(NodeId n, Ready ready)
  {
    sync_shadows(n);
    for (const RoleEvent& e : node(n).take_role_events())
      record(e);
    for (const Envelope& e : ready.messages)
      if (const auto* reply = std::get_if<WriteReply>(&e.message); reply != nullptr && reply->ok)
        record_ack(n, *reply);
    if (checking)
      check();
    return ready;
  }

  // The first invariant broken, if any ("" if none).
  const std::string& violation() const { return violation_; }

  void check()
  {
    for (UnitId unit = 0; unit < placement.unit_count() && violation_.empty(); ++unit) {
      check_one_leader_per_term(unit);
      check_log_matching(unit);
      check_leader_completeness(unit);
      check_acknowledged_writes(unit);
    }
  }

  Placement placement;
  std::vector<std::unique_ptr<LeaderFollowerNode>> nodes;
  std::vector<std::unique_ptr<Driven>> driven;
  FakeNetwork net;
  std::vector<RoleEvent> events;
  std::vector<Acked> acked;
  bool checking = true;

private:
  struct Committed {
    LogEntry entry;
    Term seen_at = 0;  // the term of the node that first showed it committed
  };

  void fail(const std::string& what)
  {
    if (!violation_.empty())
      return;
    std::ostringstream s;
    s << "at t=" << net.now() << ": " << what;
    violation_ = s.str();
    ADD_FAILURE() << violation_;
  }

  void record(const RoleEvent& e)
  {
    events.push_back(e);
    if (e.kind != RoleEvent::Kind::became_leader)
      return;
    const auto [it, fresh] = elected_.try_emplace({e.unit, e.term}, e.node);
    if (!fresh && it->second != e.node)
      fail("Election Safety: unit " + std::to_string(e.unit) + " term " + std::to_string(e.term) + " elected " +
           std::to_string(it->second) + " and " + std::to_string(e.node));
  }

  // After node n's input: its discarded prefix must be one the shadow held,
  // with the same terms; the shadow keeps that prefix and takes the rest
  // from the entries the node keeps.
  void sync_shadows(NodeId n)
  {
    for (UnitId unit : placement.units_of(n)) {
      const Log& log = node(n).log_of(unit);
      Shadow& s = shadows_[{n, unit}];
      std::vector<LogEntry>& shadow = s.entries;
      const LogIndex compacted = log.compacted();
      if (compacted > shadow.size()) {
        fail("node " + std::to_string(n) + " discarded entries of unit " + std::to_string(unit) +
             " it was never seen to hold");
        return;
      }
      for (LogIndex i = s.compacted + 1; i <= compacted; ++i)
        if (shadow[i - 1].term != log.term_at(i)) {
          fail("node " + std::to_string(n) + " discarded entry " + std::to_string(i) + " of unit " +
               std::to_string(unit) + " with another term than it held");
          return;
        }
      s.compacted = compacted;
      shadow.resize(compacted);
      shadow.insert(shadow.end(), log.begin(), log.end());
    }
  }

  void record_ack(NodeId n, const WriteReply& reply)
  {
    for (UnitId unit = 0; unit < placement.unit_count(); ++unit) {
      if (!placement.is_replica(unit, n))
        continue;
      const std::vector<LogEntry>& log = full_log(n, unit);
      const auto it = std::find_if(log.rbegin(), log.rend(), [&](const LogEntry& e) { return e.op == reply.op; });
      if (it != log.rend()) {
        acked.push_back({reply.op, unit, it->key, it->version, n, node(n).term_of(unit)});
        return;
      }
    }
    fail("node " + std::to_string(n) + " acknowledged write " + std::to_string(reply.op) + " it does not hold");
  }

  void check_one_leader_per_term(UnitId unit)
  {
    std::map<Term, NodeId> leaders;
    for (NodeId n : placement.replicas(unit)) {
      if (node(n).role_of(unit) != ReplicaRole::leader)
        continue;
      const auto [it, fresh] = leaders.try_emplace(node(n).term_of(unit), n);
      if (!fresh)
        fail("Election Safety: nodes " + std::to_string(it->second) + " and " + std::to_string(n) + " both lead unit " +
             std::to_string(unit) + " at term " + std::to_string(it->first));
    }
  }

  void check_log_matching(UnitId unit)
  {
    const auto set = placement.replicas(unit);
    for (std::size_t a = 0; a < set.size(); ++a)
      for (std::size_t b = a + 1; b < set.size(); ++b) {
        const std::vector<LogEntry>& x = full_log(set[a], unit);
        const std::vector<LogEntry>& y = full_log(set[b], unit);
        std::size_t i = std::min(x.size(), y.size());
        while (i > 0 && x[i - 1].term != y[i - 1].term)
          --i;
        if (!std::equal(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(i), y.begin()))
          fail("Log Matching: unit " + std::to_string(unit) + " nodes " + std::to_string(set[a]) + " and " +
               std::to_string(set[b]) + " share index " + std::to_string(i) + "'s term but not the entries before");
      }
  }

  void check_leader_completeness(UnitId unit)
  {
    auto& committed = committed_[unit];
    for (NodeId n : placement.replicas(unit)) {
      const std::vector<LogEntry>& log = full_log(n, unit);
      const LogIndex commit = std::min<LogIndex>(node(n).commit_index(unit), log.size());
      for (LogIndex i = 1; i <= commit; ++i) {
        if (i > committed.size())
          committed.push_back({log[i - 1], node(n).term_of(unit)});
        else if (!(committed[i - 1].entry == log[i - 1]))
          fail("State Machine Safety: node " + std::to_string(n) + " commits another entry at index " +
               std::to_string(i) + " of unit " + std::to_string(unit));
      }
    }
    for (NodeId n : placement.replicas(unit)) {
      if (node(n).role_of(unit) != ReplicaRole::leader)
        continue;
      const std::vector<LogEntry>& log = full_log(n, unit);
      for (std::size_t i = 0; i < committed.size(); ++i)
        if (committed[i].seen_at <= node(n).term_of(unit) && (i >= log.size() || !(log[i] == committed[i].entry)))
          fail("Leader Completeness: leader " + std::to_string(n) + " of unit " + std::to_string(unit) + " at term " +
               std::to_string(node(n).term_of(unit)) + " lacks committed index " + std::to_string(i + 1));
    }
  }

  static bool holds(const std::vector<LogEntry>& log, OpId op)
  {
    return std::any_of(log.begin(), log.end(), [op](const LogEntry& e) { return e.op == op; });
  }

  void check_acknowledged_writes(UnitId unit)
  {
    if (concern_ == WriteConcern::one)
      return;
    const auto set = placement.replicas(unit);
    for (const Acked& a : acked) {
      if (a.unit != unit)
        continue;
      const auto holders = std::count_if(set.begin(), set.end(), [&](NodeId n) { return holds(full_log(n, unit), a.op); });
      if (holders < majority(static_cast<int>(set.size())))
        fail("acknowledged write " + std::to_string(a.op) + " is on " + std::to_string(holders) + " replicas only");
      for (NodeId n : set)
        if (node(n).role_of(unit) == ReplicaRole::leader && node(n).term_of(unit) >= a.term &&
            !holds(full_log(n, unit), a.op))
          fail("acknowledged write " + std::to_string(a.op) + " is missing from leader " + std::to_string(n));
    }
  }

  WriteConcern concern_;
  std::map<std::pair<UnitId, Term>, NodeId> elected_;
  std::map<UnitId, std::vector<Committed>> committed_;
  struct Shadow {
    std::vector<LogEntry> entries;  // the whole log (full_log)
    LogIndex compacted = 0;         // the node's compacted() when last seen
  };
  std::map<std::pair<NodeId, UnitId>, Shadow> shadows_;
  std::string violation_;
};

inline Ready Driven::start(Time now) { return cluster_.after(id_, node_.start(now)); }

inline Ready Driven::step(const Envelope& in, Time now)
{
  if (in.from == kControl) {
    down = false;
    return cluster_.after(id_, node_.recover(now));
  }
  return down ? Ready{} : cluster_.after(id_, node_.step(in, now));
}

inline Ready Driven::on_timer(TimerId id, Time now) { return down ? Ready{} : cluster_.after(id_, node_.on_timer(id, now)); }

}  // namespace replisim::test
