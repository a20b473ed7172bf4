// The fixture of the chain replication tests (tests/protocols/chain/): one
// ChainNode per node of a placement on one fake network, every delivery
// made through it followed by the check of §2's invariants. (The failure
// tests use chain_fault_rig.hpp, whose nodes can crash and come back.)
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "protocols/chain/chain.hpp"
#include "protocols/common/messages.hpp"
#include "support/fake_network.hpp"

namespace replisim::test {

// The client whose writes and reads the fixture sends.
inline const Address kChainClient = Address::client(0);

// One ChainNode per node of `placement` on one fake network. Every delivery
// made through this fixture is followed by the invariant check (check_invariants).
struct ChainCluster {
  explicit ChainCluster(Placement p, ChainReads reads = ChainReads::tail) : placement(std::move(p))
  {
    for (NodeId n = 0; n < placement.node_count(); ++n) {
      nodes.push_back(std::make_unique<ChainNode>(n, placement, ChainConfig{reads}));
      net.add(Address::node(n), *nodes.back());
    }
    net.start_all();
  }
  ChainCluster(int node_count, int rf, ChainReads reads = ChainReads::tail)
      : ChainCluster(leader_follower_placement(node_count, rf), reads)
  {
  }

  ChainNode& node(NodeId n) { return *nodes.at(n); }
  void write(OpId op, Key key, NodeId to)
  {
    keys.insert(key);
    net.inject({kChainClient, Address::node(to), ClientWrite{op, key}});
  }
  void read(OpId op, Key key, NodeId to) { net.inject({kChainClient, Address::node(to), ClientRead{op, key}}); }
  std::vector<WriteReply> write_replies() const { return net.received<WriteReply>(kChainClient); }
  std::vector<ReadReply> read_replies() const { return net.received<ReadReply>(kChainClient); }

  bool deliver_first(const FakeNetwork::Match& match)
  {
    const bool delivered = net.deliver_first(match);
    if (delivered)
      check_invariants();
    return delivered;
  }
  bool deliver_one() { return deliver_first([](const Envelope&) { return true; }); }
  void deliver_all()
  {
    while (deliver_one()) {
    }
  }
  // Delivers everything in a random order: a fresh shuffle before each delivery.
  void deliver_all_shuffled(std::uint64_t seed)
  {
    while (!net.in_flight().empty()) {
      net.reorder(seed++);
      deliver_one();
    }
  }

  // §2's Update Propagation Invariant: for servers i ≤ j in a chain,
  // Hist_j ⪯ Hist_i (each node's updates are a prefix of its predecessor's).
  // Acknowledgements travel from the tail up, so each node's committed point
  // is at most its successor's, at most what the tail applied: no node ever
  // believes committed an update the tail has not applied. Committed points
  // and histories only grow.
  void check_invariants()
  {
    ++checks;
    if (::testing::Test::HasFailure())
      return;  // the first broken invariant says enough
    for (UnitId unit = 0; unit < placement.unit_count(); ++unit) {
      const auto chain = placement.replicas(unit);
      const ChainNode& tail = node(chain.back());
      EXPECT_EQ(tail.committed_seq(unit), tail.applied_seq(unit)) << "unit " << unit;
      for (std::size_t i = 0; i < chain.size(); ++i) {
        const ChainNode& n = node(chain[i]);
        const LogIndex applied = n.applied_seq(unit);
        const LogIndex committed = n.committed_seq(unit);
        EXPECT_LE(committed, applied) << "unit " << unit << " node " << chain[i];
        EXPECT_LE(committed, tail.applied_seq(unit)) << "unit " << unit << " node " << chain[i];
        auto& [last_applied, last_committed] = last[{chain[i], unit}];
        EXPECT_GE(applied, last_applied) << "node " << chain[i];
        EXPECT_GE(committed, last_committed) << "node " << chain[i];
        last_applied = applied;
        last_committed = committed;
        if (i + 1 == chain.size())
          continue;
        const ChainNode& next = node(chain[i + 1]);
        EXPECT_GE(applied, next.applied_seq(unit)) << "unit " << unit << " node " << chain[i];
        EXPECT_LE(committed, next.committed_seq(unit)) << "unit " << unit << " node " << chain[i];
        const auto& mine = n.log_of(unit);
        const auto& theirs = next.log_of(unit);
        EXPECT_TRUE(theirs.last_index() <= mine.last_index() &&
                    std::equal(theirs.begin(), theirs.end(), mine.begin(), [](const ChainEntry& a, const ChainEntry& b) {
                      return a.key == b.key && a.version == b.version;
                    }))
            << "node " << chain[i + 1] << "'s history is not a prefix of node " << chain[i] << "'s";
      }
    }
    for (Key key : keys) {
      const auto chain = placement.replicas(placement.unit_of(key));
      const Version at_tail = node(chain.back()).version_of(key);
      for (std::size_t i = 0; i < chain.size(); ++i) {
        EXPECT_LE(node(chain[i]).committed_version_of(key), at_tail) << "key " << key << " node " << chain[i];
        if (i + 1 < chain.size()) {
          EXPECT_GE(node(chain[i]).version_of(key), node(chain[i + 1]).version_of(key)) << "key " << key;
        }
      }
    }
  }

  Placement placement;  // before the nodes, which keep a reference to it
  std::vector<std::unique_ptr<ChainNode>> nodes;
  FakeNetwork net;
  std::set<Key> keys;  // every key written, for the per-key invariants
  std::map<std::pair<NodeId, UnitId>, std::pair<LogIndex, LogIndex>> last;  // applied, committed
  std::size_t checks = 0;
};

}  // namespace replisim::test
