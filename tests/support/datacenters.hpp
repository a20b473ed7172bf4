// The fixture of the multi-leader tests (tests/protocols/multi_leader/):
// every node of a layout of zones (leader_zones.hpp) on one fake network, and
// the checks the tests end with: convergence, and issue 5's lost updates.
// (The fault tests have their own fixture, whose nodes can crash.)
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "protocols/multi_leader/multi_leader.hpp"
#include "support/fake_network.hpp"
#include "support/leader_zones.hpp"

namespace replisim::test {

using Vector = std::vector<std::uint64_t>;

// Every node of the groups on one fake network. Leader i's clients write from
// Address::client(i); their replies are read from the network's trace.
struct Datacenters {
  explicit Datacenters(LeaderGroups g, MultiLeaderConfig config = {}) : groups(std::move(g))
  {
    for (std::size_t l = 0; l < groups.leaders.size(); ++l) {
      add(groups.leaders[l], config);
      for (NodeId f : groups.followers_of[l])
        add(f, config);
    }
    net.start_all();
  }

  MultiLeaderNode& node(NodeId n) { return *nodes.at(n); }
  MultiLeaderNode& leader(int l) { return node(groups.leaders.at(static_cast<std::size_t>(l))); }
  static Address client(int l) { return Address::client(l); }

  // Queues a write from leader l's client.
  void write(int l, OpId op, Key key)
  {
    net.inject({client(l), Address::node(groups.leaders.at(static_cast<std::size_t>(l))), ClientWrite{op, key}});
  }
  // Leader l takes a write at simulated time t, before anything else in flight.
  void write_at(Time t, int l, OpId op, Key key)
  {
    net.advance_to(t);
    write(l, op, key);
    ASSERT_TRUE(net.deliver_first([](const Envelope& e) { return std::holds_alternative<ClientWrite>(e.message); }));
  }
  std::vector<WriteReply> replies(int l) const { return net.received<WriteReply>(client(l)); }

  void add(NodeId n, MultiLeaderConfig config)
  {
    auto [it, fresh] = nodes.emplace(n, std::make_unique<MultiLeaderNode>(n, groups, config));
    net.add(Address::node(n), *it->second);
  }

  LeaderGroups groups;  // before the nodes, which keep a reference to it
  std::map<NodeId, std::unique_ptr<MultiLeaderNode>> nodes;
  FakeNetwork net;
};

template <typename T>
inline std::size_t in_flight_of(const FakeNetwork& net)
{
  return static_cast<std::size_t>(std::count_if(net.in_flight().begin(), net.in_flight().end(), is_any<T>()));
}

inline std::string str(const Vector& v)
{
  std::ostringstream out;
  out << '{';
  for (std::size_t i = 0; i < v.size(); ++i)
    out << (i == 0 ? "" : ",") << v[i];
  out << '}';
  return out.str();
}

// A record as one readable string, so that a mismatch prints both sides.
inline std::string str(const KeyRecord& r)
{
  std::ostringstream out;
  out << "key " << r.key << " version " << r.version << " seen " << str(r.seen) << " writer_seen "
      << str(r.writer_seen);
  return out.str();
}

inline std::map<Key, std::string> snapshot(const MultiLeaderNode& node)
{
  std::map<Key, std::string> out;
  for (const auto& [key, record] : node.records())
    out[key] = str(record);
  return out;
}

inline const KeyRecord& record(const MultiLeaderNode& node, Key key) { return node.records().at(key); }

using WriteId = std::tuple<Key, int, std::uint64_t>;  // (key, leader, counter)

inline std::set<WriteId> accepted_everywhere(Datacenters& dc)
{
  std::set<WriteId> out;
  for (int l = 0; l < static_cast<int>(dc.groups.leaders.size()); ++l)
    for (const AcceptedWrite& w : dc.leader(l).accepted())
      out.emplace(w.key, w.leader, w.counter);
  return out;
}

// Each write a node applied, checking it applied none twice.
inline std::set<WriteId> applied_at(const MultiLeaderNode& node)
{
  std::set<WriteId> out;
  for (const auto& [w, when] : node.applied())
    EXPECT_TRUE(out.emplace(w.key, w.leader, w.counter).second)
        << "applied twice: key " << w.key << " leader " << w.leader << " counter " << w.counter;
  return out;
}

// Issue 5: "acknowledged writes that no leader's final state contains and that
// were not superseded by a write that saw them".
inline std::vector<AcceptedWrite> lost_updates(Datacenters& dc)
{
  std::vector<AcceptedWrite> lost;
  const int leaders = static_cast<int>(dc.groups.leaders.size());
  for (int l = 0; l < leaders; ++l)
    for (const AcceptedWrite& w : dc.leader(l).accepted()) {
      bool kept = false;
      for (int m = 0; m < leaders; ++m) {
        const auto it = dc.leader(m).records().find(w.key);
        kept = kept || (it != dc.leader(m).records().end() &&
                        (it->second.version == w.version ||
                         it->second.writer_seen.at(static_cast<std::size_t>(w.leader)) >= w.counter));
      }
      if (!kept)
        lost.push_back(w);
    }
  return lost;
}

// After the network is quiet: every node, leader or follower, holds the same
// records as leader 0, and has applied every write any leader accepted.
inline void expect_converged(Datacenters& dc)
{
  const auto reference = snapshot(dc.leader(0));
  const auto accepted = accepted_everywhere(dc);
  for (const auto& [n, node] : dc.nodes) {
    EXPECT_EQ(snapshot(*node), reference) << "node " << n;
    EXPECT_EQ(applied_at(*node), accepted) << "node " << n;
  }
}

}  // namespace replisim::test
