// Leaderless nodes on the fake network, in one zone, with a fault rig: the
// cluster the leaderless protocol tests drive.
#pragma once
#include <memory>
#include <vector>

#include "protocols/leaderless/leaderless.hpp"
#include "support/fake_network.hpp"
#include "support/fault_rig.hpp"

namespace replisim::test {

struct LeaderlessRing {
  // One range replicated on every node (rf = nodes).
  explicit LeaderlessRing(const LeaderlessConfig& config, int nodes = 3)
      : LeaderlessRing(config, leader_follower_placement(nodes, nodes))
  {
  }
  LeaderlessRing(const LeaderlessConfig& config, Placement ranges)
      : placement(std::move(ranges)), membership(Membership::all_up(std::vector<int>(placement.node_count(), 0)))
  {
    for (NodeId n = 0; n < placement.node_count(); ++n) {
      machines.push_back(std::make_unique<LeaderlessNode>(n, placement, membership, config));
      hosts.push_back(std::make_unique<Host>(*machines.back()));
      net.add(Address::node(n), *hosts.back());
      faults.add(n, *hosts.back());
    }
    net.start_all();
  }

  LeaderlessNode& node(NodeId n) { return *machines.at(static_cast<std::size_t>(n)); }

  Placement placement;
  Membership membership;
  std::vector<std::unique_ptr<LeaderlessNode>> machines;
  std::vector<std::unique_ptr<Host>> hosts;
  FakeNetwork net;
  Faults faults{net, membership};
};

}  // namespace replisim::test
