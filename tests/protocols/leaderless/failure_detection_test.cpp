// Leaderless coordinators under Cassandra's gossip detector, on the fake
// network: a replica that crashed stays a write's replica until this
// coordinator convicts it, so ALL writes to it time out (WriteTimeout after
// write_request_timeout, 2 s) instead of failing Unavailable at once as they
// do under the oracle; after the conviction (phi > 8: about 18.4 mean gossip
// intervals after the last heartbeat) they fail Unavailable again.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "protocols/leaderless/leaderless.hpp"
#include "support/fake_network.hpp"
#include "support/leaderless_ring.hpp"

namespace replisim {
namespace failure_detection_test {

using test::is;

const Address kClient = Address::client(0);
constexpr Key kKey = 42;

struct GossipRing : test::LeaderlessRing {
  using LeaderlessRing::LeaderlessRing;
  // Time passes in steps of 10 ms; messages arrive within the step.
  void run_until(Time t)
  {
    while (net.now() + 0.01 <= t + 1e-9) {
      net.advance_to(net.now() + 0.01);
      net.deliver_all();
    }
  }
  WriteReply write(OpId op, NodeId at)
  {
    const std::size_t before = net.received<WriteReply>(kClient).size();
    net.inject({kClient, Address::node(at), ClientWrite{op, kKey}});
    net.deliver_all();
    if (net.received<WriteReply>(kClient).size() == before)
      run_until(net.now() + 2.05);  // the write timeout
    const auto replies = net.received<WriteReply>(kClient);
    EXPECT_EQ(replies.size(), before + 1);
    return replies.back();
  }
};

LeaderlessConfig all_with(bool gossip)
{
  LeaderlessConfig c;
  c.write_level = Consistency::all;
  c.gossip = gossip;
  c.gossip_seed = 5;
  return c;
}

TEST(LeaderlessGossip, AllWritesTimeOutUntilTheCoordinatorConvictsTheCrashedReplicaThenFailUnavailable)
{
  GossipRing r(all_with(true));
  r.run_until(5.0);
  r.faults.crash(2);
  r.run_until(6.0);
  const WriteReply before = r.write(1, 0);
  EXPECT_FALSE(before.ok);
  EXPECT_TRUE(before.timed_out) << "Cassandra's WriteTimeout: node 2 is still a replica to wait for";
  EXPECT_EQ(before.acks, 2);
  EXPECT_NEAR(r.net.now(), 8.0, 0.06);
  EXPECT_EQ(r.node(0).hints_for(2).size(), 1u) << "the silent replica is hinted";

  const Time bound = r.node(0).gossiper()->conviction_bound(2);
  // The last exchange before 5 s, plus 8 ln 10 means: a mean of 2 s and
  // about four 1 s intervals, (2 + 4) / 5 = 1.2 s; 22.1 s after it.
  EXPECT_GT(bound, 5.0 + 8 * std::log(10.0) * 1.0);
  EXPECT_LT(bound, 5.0 + 8 * std::log(10.0) * 1.25);
  r.run_until(bound - 0.05);
  EXPECT_FALSE(r.node(0).gossiper()->convicted(2));
  r.run_until(bound + 1.0);  // the first status check past the bound: within a round
  ASSERT_TRUE(r.node(0).gossiper()->convicted(2));
  const WriteReply after = r.write(2, 0);
  EXPECT_FALSE(after.ok);
  EXPECT_FALSE(after.timed_out) << "Unavailable, answered at once";
  EXPECT_EQ(after.acks, 0);
  ASSERT_EQ(r.node(0).gossiper()->detections().size(), 1u);
  EXPECT_GT(r.node(0).gossiper()->detections()[0], bound - 5.0);
  EXPECT_LE(r.node(0).gossiper()->detections()[0], bound - 5.0 + 1.0);
}

TEST(LeaderlessGossip, TheOracleStillFailsAtOnceAndSendsNoGossip)
{
  GossipRing r(all_with(false));
  r.run_until(5.0);
  r.faults.crash(2);
  const WriteReply reply = r.write(1, 0);
  EXPECT_FALSE(reply.ok);
  EXPECT_FALSE(reply.timed_out);
  EXPECT_EQ(r.node(0).gossiper(), nullptr);
  EXPECT_EQ(r.node(0).stats().gossip_messages, 0u);
  EXPECT_EQ(r.net.timers_pending(), 0u);
}

TEST(LeaderlessGossip, GossipIsCountedApartFromWriteAndReadMessages)
{
  GossipRing r(all_with(true));
  r.run_until(10.0);
  std::uint64_t gossip = 0;
  for (NodeId n = 0; n < 3; ++n) {
    gossip += r.node(n).stats().gossip_messages;
    EXPECT_EQ(r.node(n).stats().write_messages, 0u);
    EXPECT_EQ(r.node(n).stats().read_messages, 0u);
  }
  // A syn and an ack per node and round: ten rounds of three nodes.
  EXPECT_EQ(gossip, 60u);
}

TEST(LeaderlessGossip, ANodeBackIsAliveAgainAtTheNextExchange)
{
  GossipRing r(all_with(true));
  r.run_until(5.0);
  r.faults.crash(2);
  r.run_until(30.0);
  ASSERT_TRUE(r.node(0).gossiper()->convicted(2));
  r.faults.recover(2);
  r.run_until(31.1);
  EXPECT_FALSE(r.node(0).gossiper()->convicted(2));
  EXPECT_FALSE(r.node(1).gossiper()->convicted(2));
}

}  // namespace failure_detection_test
}  // namespace replisim
