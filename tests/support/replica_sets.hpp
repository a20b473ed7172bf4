// A replica set of LeaderFollowerNodes on one fake network, and the checks
// the leader-follower protocol tests share.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <variant>
#include <vector>

#include "protocols/leader_follower/fixed_leader.hpp"
#include "protocols/leader_follower/leader_follower.hpp"
#include "support/fake_network.hpp"

namespace replisim::test {

inline const Address kClient = Address::client(0);

// `nodes` LeaderFollowerNodes on one fake network, placed as the leader-follower
// model places them. Replies to clients are read from the network's trace.
// `compact_logs` off keeps whole logs, for tests that read them entry by entry.
struct ReplicaSets {
  ReplicaSets(int node_count, int rf, WriteConcern concern, bool compact_logs = true)
      : placement(leader_follower_placement(node_count, rf))
  {
    for (NodeId n = 0; n < node_count; ++n) {
      nodes.push_back(std::make_unique<LeaderFollowerNode>(n, placement, concern, 1, FailoverConfig::none(),
                                                           compact_logs));
      net.add(Address::node(n), *nodes.back());
    }
    net.start_all();
  }

  LeaderFollowerNode& node(NodeId n) { return *nodes.at(n); }
  void write(OpId op, Key key, NodeId to) { net.inject({kClient, Address::node(to), ClientWrite{op, key}}); }
  std::vector<WriteReply> replies() const { return net.received<WriteReply>(kClient); }

  Placement placement;  // before the nodes, which keep a reference to it
  std::vector<std::unique_ptr<LeaderFollowerNode>> nodes;
  FakeNetwork net;
};

// The first key of `unit` at or after `from`.
inline Key key_in(const Placement& placement, UnitId unit, Key from = 0)
{
  while (placement.unit_of(from) != unit)
    ++from;
  return from;
}

inline ReadReply read_at(LeaderFollowerNode& node, NodeId self, Key key)
{
  const Ready ready = node.step({kClient, Address::node(self), ClientRead{99, key}}, 0);
  EXPECT_EQ(ready.messages.size(), 1u);
  return std::get<ReadReply>(ready.messages.at(0).message);
}

inline bool same_entries(const Log& a, const Log& b)
{
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const LogEntry& x, const LogEntry& y) {
    return x.term == y.term && x.key == y.key && x.version == y.version;
  });
}

// Every replica of a unit names the same leader for the unit's current term,
// and that leader, alone, believes it leads (Raft's Election Safety: "at most
// one leader can be elected in a given term").
inline void expect_one_leader_per_unit_and_term(ReplicaSets& c)
{
  for (UnitId unit = 0; unit < c.placement.unit_count(); ++unit) {
    const auto set = c.placement.replicas(unit);
    const Term term = c.node(set.front()).term_of(unit);
    const NodeId leader = c.node(set.front()).leader_of(unit);
    int self_leaders = 0;
    for (NodeId n : set) {
      EXPECT_EQ(c.node(n).term_of(unit), term) << "unit " << unit << " node " << n;
      EXPECT_EQ(c.node(n).leader_of(unit), leader) << "unit " << unit << " node " << n;
      self_leaders += c.node(n).leader_of(unit) == n ? 1 : 0;
    }
    EXPECT_EQ(self_leaders, 1) << "unit " << unit;
  }
}

}  // namespace replisim::test
