// MultiLeaderNode on the fake network: one leader per datacenter with its
// followers, a write from one datacenter reaching every node, local write
// concern, asynchronous leader-to-leader sync (at once or batched), and what
// followers do. Conflicts and lost updates are in multi_leader_conflict_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "protocols/leaderless/leaderless.hpp"  // lww_version
#include "protocols/multi_leader/multi_leader.hpp"
#include "support/datacenters.hpp"
#include "support/fake_network.hpp"
#include "support/leader_zones.hpp"

namespace replisim {
namespace multi_leader_replication_test {

using namespace test;  // the datacenters fixture and its checks, the zones, the fake network's matchers

// --- one writing datacenter ------------------------------------------------

TEST(MultiLeaderTest, WritesFromOneLeaderOnlyReachEveryNodeWithoutConflicts)
{
  Datacenters dc(zones(3, 2));
  dc.write_at(1.0, 0, 1, 10);
  dc.write_at(2.0, 0, 2, 11);
  dc.write_at(3.0, 0, 3, 10);
  dc.net.deliver_all();

  ASSERT_EQ(dc.replies(0).size(), 3u);
  for (const auto& [n, node] : dc.nodes) {
    EXPECT_EQ(str(record(*node, 10)), str(KeyRecord{10, lww_version(3.0, 0), {2, 0, 0}, {2, 0, 0}})) << "node " << n;
    EXPECT_EQ(str(record(*node, 11)), str(KeyRecord{11, lww_version(2.0, 0), {1, 0, 0}, {1, 0, 0}})) << "node " << n;
    EXPECT_EQ(applied_at(*node), (std::set<WriteId>{{10, 0, 1}, {10, 0, 2}, {11, 0, 1}})) << "node " << n;
  }
  for (int l = 0; l < 3; ++l)
    EXPECT_TRUE(dc.leader(l).conflicts().empty()) << "leader " << l;
  EXPECT_TRUE(lost_updates(dc).empty());
}

// --- local write concern -----------------------------------------------------

TEST(MultiLeaderTest, WriteConcernOneRepliesInTheReadyOfTheClientWrite)
{
  Datacenters dc(zones(2, 2));
  const Ready ready = dc.leader(0).step({Datacenters::client(0), Address::node(0), ClientWrite{7, 42}}, 1.0);

  const KeyRecord written{42, lww_version(1.0, 0), {1, 0}, {1, 0}};
  std::vector<NodeId> updated;
  std::vector<NodeId> synced;
  int replies = 0;
  for (const Envelope& e : ready.messages) {
    if (const auto* u = std::get_if<FollowerUpdate>(&e.message)) {
      updated.push_back(e.to.index);
      EXPECT_NE(u->request, 0u);  // an answer is wanted
      EXPECT_EQ(str(u->record), str(written));
    } else if (const auto* s = std::get_if<LeaderSync>(&e.message)) {
      synced.push_back(e.to.index);
      ASSERT_EQ(s->records.size(), 1u);
      EXPECT_EQ(str(s->records[0]), str(written));
    } else {
      const auto& reply = std::get<WriteReply>(e.message);
      EXPECT_EQ(e.to, Datacenters::client(0));
      EXPECT_EQ(reply.op, 7u);
      EXPECT_TRUE(reply.ok);
      EXPECT_EQ(reply.version, lww_version(1.0, 0));
      EXPECT_EQ(reply.acks, 1);
      ++replies;
    }
  }
  EXPECT_EQ(replies, 1);
  EXPECT_EQ(updated, (std::vector<NodeId>{1, 2}));
  EXPECT_EQ(synced, (std::vector<NodeId>{3}));
}

TEST(MultiLeaderTest, MajorityOfLeaderAndTwoFollowersRepliesAfterOneFollowerAck)
{
  Datacenters dc(zones(2, 2), MultiLeaderConfig{WriteConcern::majority, 0});
  dc.write_at(1.0, 0, 1, 5);
  ASSERT_TRUE(dc.net.deliver_first(is_any<FollowerUpdate>()));
  ASSERT_TRUE(dc.net.deliver_first(is_any<FollowerUpdate>()));
  EXPECT_EQ(in_flight_of<FollowerAck>(dc.net), 2u);  // held back
  EXPECT_EQ(in_flight_of<WriteReply>(dc.net), 0u);

  ASSERT_TRUE(dc.net.deliver_first(is_any<FollowerAck>()));
  ASSERT_EQ(in_flight_of<WriteReply>(dc.net), 1u);
  dc.net.deliver_all();
  const auto replies = dc.replies(0);
  ASSERT_EQ(replies.size(), 1u);  // the second ack does not answer twice
  EXPECT_TRUE(replies[0].ok);
  EXPECT_EQ(replies[0].op, 1u);
  EXPECT_EQ(replies[0].version, lww_version(1.0, 0));
  EXPECT_EQ(replies[0].acks, 2);
}

TEST(MultiLeaderTest, AllRepliesOnlyAfterBothFollowerAcks)
{
  Datacenters dc(zones(2, 2), MultiLeaderConfig{WriteConcern::all, 0});
  dc.write_at(1.0, 0, 1, 5);
  ASSERT_TRUE(dc.net.deliver_first(is_any<FollowerUpdate>()));
  ASSERT_TRUE(dc.net.deliver_first(is_any<FollowerUpdate>()));
  ASSERT_TRUE(dc.net.deliver_first(is_any<FollowerAck>()));
  EXPECT_EQ(in_flight_of<WriteReply>(dc.net), 0u);

  ASSERT_TRUE(dc.net.deliver_first(is_any<FollowerAck>()));
  dc.net.deliver_all();
  const auto replies = dc.replies(0);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_TRUE(replies[0].ok);
  EXPECT_EQ(replies[0].acks, 3);
}

// --- batching --------------------------------------------------------------------

TEST(MultiLeaderTest, BatchedReplicationSendsOneSyncOfEveryDirtyKeyWhenTheTimerFires)
{
  Datacenters dc(zones(2, 1), MultiLeaderConfig{WriteConcern::one, 0.5});
  dc.write_at(1.0, 0, 1, 10);
  dc.write_at(1.1, 0, 2, 11);
  dc.write_at(1.2, 0, 3, 10);
  dc.net.deliver_all();
  EXPECT_TRUE(dc.net.received<LeaderSync>(Address::node(2)).empty());
  EXPECT_TRUE(dc.leader(1).records().empty());
  EXPECT_TRUE(dc.leader(0).has_unsent_writes());
  EXPECT_EQ(dc.net.timers_pending(), 1u);  // one timer for the three writes

  dc.net.advance_to(1.5);
  ASSERT_EQ(dc.net.in_flight().size(), 1u);
  const auto& sync = std::get<LeaderSync>(dc.net.in_flight().front().message);
  ASSERT_EQ(sync.records.size(), 2u);
  EXPECT_EQ(str(sync.records[0]), str(KeyRecord{10, lww_version(1.2, 0), {2, 0}, {2, 0}}));
  EXPECT_EQ(str(sync.records[1]), str(KeyRecord{11, lww_version(1.1, 0), {1, 0}, {1, 0}}));
  EXPECT_FALSE(dc.leader(0).has_unsent_writes());
  dc.net.deliver_all();
  expect_converged(dc);

  // The next write arms the timer again.
  dc.write_at(2.0, 0, 4, 10);
  dc.net.deliver_all();
  EXPECT_EQ(dc.net.received<LeaderSync>(Address::node(2)).size(), 1u);
  dc.net.advance_to(2.5);
  dc.net.deliver_all();
  EXPECT_EQ(dc.net.received<LeaderSync>(Address::node(2)).size(), 2u);
}

TEST(MultiLeaderTest, ImmediateReplicationSendsOneSyncPerWrite)
{
  Datacenters dc(zones(2, 1));
  dc.write_at(1.0, 0, 1, 10);
  dc.write_at(1.1, 0, 2, 11);
  dc.write_at(1.2, 0, 3, 10);
  dc.net.deliver_all();

  EXPECT_EQ(dc.net.timers_pending(), 0u);
  const auto syncs = dc.net.received<LeaderSync>(Address::node(2));
  ASSERT_EQ(syncs.size(), 3u);
  std::vector<Key> keys;
  for (const LeaderSync& s : syncs) {
    ASSERT_EQ(s.records.size(), 1u);
    keys.push_back(s.records[0].key);
  }
  EXPECT_EQ(keys, (std::vector<Key>{10, 11, 10}));
}

// --- roles -------------------------------------------------------------------------

TEST(MultiLeaderTest, FollowerRefusesClientWrites)
{
  Datacenters dc(zones(2, 1));
  const Ready ready = dc.node(1).step({Datacenters::client(0), Address::node(1), ClientWrite{4, 9}}, 1.0);

  ASSERT_EQ(ready.messages.size(), 1u);
  EXPECT_EQ(ready.messages[0].to, Datacenters::client(0));
  const auto& reply = std::get<WriteReply>(ready.messages[0].message);
  EXPECT_EQ(reply.op, 4u);
  EXPECT_FALSE(reply.ok);
  EXPECT_TRUE(dc.node(1).records().empty());
  EXPECT_TRUE(dc.node(1).accepted().empty());
  EXPECT_FALSE(dc.node(1).is_leader());
}

TEST(MultiLeaderTest, ReadAtALeaderReturnsTheVersionItHolds)
{
  Datacenters dc(zones(2, 1));
  dc.write_at(1.0, 0, 1, 9);
  dc.net.deliver_all();

  const auto read = [&](int l, Key key) {
    const Ready ready = dc.leader(l).step({Datacenters::client(l), Address::node(0), ClientRead{8, key}}, 2.0);
    EXPECT_EQ(ready.messages.size(), 1u);
    return std::get<ReadReply>(ready.messages.at(0).message);
  };
  const ReadReply held = read(1, 9);  // the other leader, after the sync
  EXPECT_EQ(held.op, 8u);
  EXPECT_TRUE(held.ok);
  EXPECT_EQ(held.version, lww_version(1.0, 0));
  EXPECT_EQ(read(0, 9).version, lww_version(1.0, 0));
  EXPECT_EQ(read(0, 77).version, 0u);  // never written
}

TEST(MultiLeaderTest, FollowerKeepsTheLaterOfReorderedUpdates)
{
  Datacenters dc(zones(2, 1));
  dc.write_at(1.0, 0, 1, 9);
  dc.write_at(2.0, 0, 2, 9);
  // Both updates to follower 1 are in flight: deliver the later one first.
  const auto to_follower = is<FollowerUpdate>(Address::node(1));
  const auto later = [&](const Envelope& e) {
    return to_follower(e) && std::get<FollowerUpdate>(e.message).record.version == lww_version(2.0, 0);
  };
  ASSERT_TRUE(dc.net.deliver_first(later));
  ASSERT_TRUE(dc.net.deliver_first(to_follower));
  dc.net.deliver_all();

  EXPECT_EQ(str(record(dc.node(1), 9)), str(KeyRecord{9, lww_version(2.0, 0), {2, 0}, {2, 0}}));
  EXPECT_EQ(dc.net.received<FollowerAck>(Address::node(0)).size(), 2u);  // both acknowledged
}

}  // namespace multi_leader_replication_test
}  // namespace replisim
