// The fixture of the chain failure tests: ChainNodes that follow a shared
// membership, each behind a Host so that it can crash and come back (see
// fault_rig.hpp), and the checks every failure scenario ends with.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "protocols/chain/chain.hpp"
#include "protocols/chain/chain_router.hpp"
#include "support/fake_network.hpp"
#include "support/fault_rig.hpp"

namespace replisim::test {

inline const Address kClient = Address::client(0);

struct Chains {
  explicit Chains(Placement p, ChainReads reads = ChainReads::tail)
      : placement(std::move(p)), membership(Membership::all_up(std::vector<int>(placement.node_count(), 0)))
  {
    for (NodeId n = 0; n < placement.node_count(); ++n) {
      nodes.push_back(std::make_unique<ChainNode>(n, placement, ChainConfig{reads}, &membership));
      hosts.push_back(std::make_unique<Host>(*nodes.back()));
      net.add(Address::node(n), *hosts.back());
      faults.add(n, *hosts.back());
    }
    net.start_all();
  }

  ChainNode& node(NodeId n) { return *nodes.at(n); }
  void write(OpId op, Key key, NodeId to) { net.inject({kClient, Address::node(to), ClientWrite{op, key}}); }
  void read(OpId op, Key key, NodeId to) { net.inject({kClient, Address::node(to), ClientRead{op, key}}); }
  // Writes at the head, taken at once.
  void write_at_head(OpId op, Key key)
  {
    const NodeId head = node(0).head_of(placement.unit_of(key));
    write(op, key, head);
    ASSERT_TRUE(net.deliver_first(is<ClientWrite>(Address::node(head))));
  }
  std::vector<WriteReply> write_replies() const { return net.received<WriteReply>(kClient); }
  std::vector<ReadReply> read_replies() const { return net.received<ReadReply>(kClient); }
  std::vector<std::pair<Key, Version>> log(NodeId n, UnitId unit = 0)
  {
    std::vector<std::pair<Key, Version>> out;
    for (const ChainEntry& e : node(n).log_of(unit))
      out.emplace_back(e.key, e.version);
    return out;
  }
  std::vector<RoleEvent> events(NodeId n) { return node(n).take_role_events(); }

  Placement placement;
  Membership membership;
  std::vector<std::unique_ptr<ChainNode>> nodes;
  std::vector<std::unique_ptr<Host>> hosts;
  FakeNetwork net;
  Faults faults{net, membership};
};

inline Placement one_chain() { return Placement(3, {{0, 1, 2}}); }

// Update propagation (§2) among the nodes that serve: for each unit, along
// its live chain less the nodes catching up, each log is a prefix of the one
// before it, committed points grow towards the tail and stay within what the
// tail holds, and the tail has committed all it holds.
inline void expect_chain_invariants(Chains& c)
{
  for (UnitId unit = 0; unit < c.placement.unit_count(); ++unit) {
    std::vector<NodeId> serving;
    for (NodeId n : c.placement.replicas(unit))
      if (c.membership.alive[n] && !c.node(n).catching_up(unit))
        serving.push_back(n);
    if (serving.empty())
      continue;
    const ChainNode& tail = c.node(serving.back());
    if (serving.back() == c.node(0).tail_of(unit)) {
      EXPECT_EQ(tail.committed_seq(unit), tail.applied_seq(unit)) << "unit " << unit;
    }
    for (std::size_t i = 0; i + 1 < serving.size(); ++i) {
      const auto& mine = c.node(serving[i]).log_of(unit);
      const auto& theirs = c.node(serving[i + 1]).log_of(unit);
      EXPECT_TRUE(theirs.last_index() <= mine.last_index() &&
                  std::equal(theirs.begin(), theirs.end(), mine.begin(),
                             [](const ChainEntry& a, const ChainEntry& b) {
                               return a.key == b.key && a.version == b.version;
                             }))
          << "unit " << unit << ": node " << serving[i + 1] << "'s log is not a prefix of node " << serving[i] << "'s";
      EXPECT_LE(c.node(serving[i]).committed_seq(unit), c.node(serving[i + 1]).committed_seq(unit))
          << "unit " << unit << " node " << serving[i];
    }
  }
}

// After the network is quiet: every live replica of every unit holds the
// same log, all of it committed.
inline void expect_converged(Chains& c)
{
  for (UnitId unit = 0; unit < c.placement.unit_count(); ++unit) {
    std::vector<NodeId> live;
    for (NodeId n : c.placement.replicas(unit))
      if (c.membership.alive[n])
        live.push_back(n);
    for (NodeId n : live) {
      EXPECT_FALSE(c.node(n).catching_up(unit)) << "unit " << unit << " node " << n;
      EXPECT_EQ(c.log(n, unit), c.log(live.front(), unit)) << "unit " << unit << " node " << n;
      EXPECT_EQ(c.node(n).committed_seq(unit), c.node(n).applied_seq(unit)) << "unit " << unit << " node " << n;
    }
  }
}

// Every write the client saw acknowledged is in every live replica's log.
inline void expect_no_acknowledged_write_lost(Chains& c)
{
  for (const WriteReply& r : c.write_replies()) {
    if (!r.ok)
      continue;
    bool found_anywhere = false;
    for (UnitId unit = 0; unit < c.placement.unit_count(); ++unit)
      for (NodeId n : c.placement.replicas(unit)) {
        if (!c.membership.alive[n])
          continue;
        for (const ChainEntry& e : c.node(n).log_of(unit))
          found_anywhere = found_anywhere || (e.op == r.op && e.version == r.version);
      }
    EXPECT_TRUE(found_anywhere) << "acknowledged write op " << r.op << " version " << r.version << " is lost";
  }
}

}  // namespace replisim::test
