// MongoDB's primary catch-up after a failover (LeaderFollowerNode under the
// mongodb preset): the primary-elect takes writes only once caught up, asks the
// member ahead, copies the w:1 writes it lacks, gives up at its timeout, and a
// member ahead takes over after catchUpTakeoverDelayMillis. Raft's safety
// properties are checked after every input (support/election_cluster.hpp).
#include <gtest/gtest.h>

#include <memory>

#include "support/election_cluster.hpp"

namespace replisim {
namespace mongodb_catch_up_test {

using test::ElectionCluster;
using test::is;
using test::is_any;
using Kind = RoleEvent::Kind;

// A MongoDB replica set whose primary crashed at t = 1 s, stepped until the
// primary-elect has won (after its dry run), with its first heartbeats still
// in flight.
struct MongoDbFailover {
  explicit MongoDbFailover(FailoverConfig config = FailoverConfig::mongodb(3))
      : c(leader_follower_placement(3, 3), WriteConcern::majority, config)
  {
    c.start();
    c.write(1, 5, 0);
    c.run_for(1.0, 0.01);
    c.crash(0);
    while (c.events_of(Kind::election_started).empty()) {
      c.net.advance_to(c.net.now() + 0.01);
      while (c.net.deliver_first(is_any<PreVote>()) || c.net.deliver_first(is_any<PreVoteReply>())) {
      }
    }
    while (c.events_of(Kind::became_leader).size() < 2 && c.net.deliver_first(is_any<RequestVote>()))
      c.net.deliver_first(is_any<Vote>());
    while (c.events_of(Kind::became_leader).size() < 2 && c.net.deliver_first(is_any<Vote>())) {
    }
    leader = c.events_of(Kind::became_leader).at(1).node;
    follower = 3 - leader;
  }
  ElectionCluster c;
  NodeId leader = kNoNode;
  NodeId follower = kNoNode;
};

// MongoDB's defaults: heartbeatIntervalMillis 2000, electionTimeoutMillis
// 10000 with up to 15 % jitter. Its primary catch-up: the primary-elect takes
// no write until a majority has reported its last optime and it is at least
// as up to date as every one of them.
TEST(ElectionLogTest, AMongoDbPrimaryElectTakesWritesOnlyOnceCaughtUp)
{
  MongoDbFailover f;
  ElectionCluster& c = f.c;
  const auto started = c.events_of(Kind::election_started);
  ASSERT_EQ(started.size(), 1u);
  EXPECT_GE(started[0].at, 10.0);  // the last heartbeat came at t = 0
  EXPECT_LE(started[0].at, 11.5);
  EXPECT_FALSE(c.node(f.leader).accepting_writes(0));
  EXPECT_TRUE(c.node(f.leader).log_of(0).last_index() == 1u);  // no no-op before catch-up

  c.write(2, 5, f.leader);
  ASSERT_TRUE(c.net.deliver_first(is_any<ClientWrite>()));
  ASSERT_TRUE(c.net.deliver_first(is_any<WriteReply>()));
  ASSERT_EQ(c.replies().size(), 2u);
  EXPECT_FALSE(c.replies()[1].ok);
  EXPECT_EQ(c.replies()[1].leader, kNoNode);  // no other node to try

  ASSERT_TRUE(c.net.deliver_first(is<Heartbeat>(Address::node(f.follower))));
  ASSERT_TRUE(c.net.deliver_first(is_any<HeartbeatReply>()));
  EXPECT_TRUE(c.node(f.leader).accepting_writes(0));  // a majority (both) reported, none ahead
  c.write(3, 5, f.leader);
  c.run_for(0.1, 0.01);
  ASSERT_EQ(c.replies().size(), 3u);
  EXPECT_TRUE(c.replies()[2].ok);
  EXPECT_EQ(c.replies()[2].version, 2u);
  EXPECT_EQ(c.violation(), "");
}

// A member that reports a more up-to-date optime is asked for the entries
// after the primary-elect's last; its answer (here: nothing more, its report
// was stale) ends the catch-up.
TEST(ElectionLogTest, AMongoDbPrimaryElectAsksTheMemberAheadBeforeItWrites)
{
  MongoDbFailover f;
  ElectionCluster& c = f.c;
  const Term term = c.node(f.leader).term_of(0);
  c.net.inject({Address::node(f.follower), Address::node(f.leader),
                HeartbeatReply{{ReplicateAck{.term = term, .unit = 0, .match_index = 0, .last_index = 5, .last_term = 1}}}});
  ASSERT_TRUE(c.net.deliver_first(is<HeartbeatReply>(Address::node(f.leader))));
  EXPECT_FALSE(c.node(f.leader).accepting_writes(0));
  ASSERT_TRUE(c.net.deliver_first(is<CatchUpFetch>(Address::node(f.follower))));
  const auto fetch = c.net.received<CatchUpFetch>(Address::node(f.follower)).at(0);
  EXPECT_EQ(fetch.prev_index, 1u);
  EXPECT_EQ(fetch.prev_term, 1u);
  ASSERT_TRUE(c.net.deliver_first(is<CatchUpEntries>(Address::node(f.leader))));
  EXPECT_TRUE(c.node(f.leader).accepting_writes(0));
  EXPECT_EQ(c.violation(), "");
}

// catchUpTimeoutMillis: past it the primary-elect takes writes with what it
// holds, whatever a member reported.
TEST(ElectionLogTest, AMongoDbPrimaryElectStopsCatchingUpAtItsTimeout)
{
  FailoverConfig config = FailoverConfig::mongodb(3);
  config.catch_up_timeout = 3.0;
  MongoDbFailover f(config);
  ElectionCluster& c = f.c;
  const Time since = c.net.now();
  const Term term = c.node(f.leader).term_of(0);
  c.net.drop([](const Envelope& e) { return std::holds_alternative<CatchUpFetch>(e.message); });
  c.net.inject({Address::node(f.follower), Address::node(f.leader),
                HeartbeatReply{{ReplicateAck{.term = term, .unit = 0, .match_index = 0, .last_index = 5, .last_term = 1}}}});
  while (!c.node(f.leader).accepting_writes(0) && c.net.now() < since + 10.0) {
    c.net.deliver_all();
    c.net.advance_to(c.net.now() + 0.01);
  }
  EXPECT_TRUE(c.node(f.leader).accepting_writes(0));
  EXPECT_GE(c.net.now() - since, 3.0 - 0.01);
  EXPECT_LE(c.net.now() - since, 3.0 + 2.0 + 0.01);  // checked at the heartbeats, 2 s apart
}

// MongoDB's preset, node 2's election timeout 10 s and every other's 20 s:
// node 2 stands first after a crash.
FailoverConfig node_2_stands_first(NodeId n)
{
  FailoverConfig c = FailoverConfig::mongodb(3);
  c.election_timeout_min = n == 2 ? 10.0 : 20.0;
  c.election_timeout_max = n == 2 ? 10.0 : 20.0;
  return c;
}

// The case: five members, three of them behind (they lose what the
// primary sends them), w:1, the primary crashes. A member that is behind
// wins (its two peers vote for it; the member ahead cannot stand first), and
// copies from the member ahead before it writes: no w:1 write that member
// holds is lost.
TEST(ElectionLogTest, AMongoDbPrimaryElectCopiesTheW1WritesItLacksFromTheMemberAhead)
{
  ElectionCluster c(leader_follower_placement(5, 5), WriteConcern::one, node_2_stands_first);
  auto behind = std::make_shared<bool>(true);
  c.net.drop([behind](const Envelope& e) {
    return *behind && e.from == Address::node(0) && e.to.index >= 2 && std::holds_alternative<Replicate>(e.message);
  });
  c.start();
  for (OpId op = 1; op <= 5; ++op)
    c.write(op, op, 0);
  c.run_for(1.0, 0.01);
  ASSERT_EQ(c.replies().size(), 5u);
  ASSERT_EQ(c.node(1).log_of(0).last_index(), 5u);
  ASSERT_EQ(c.node(2).log_of(0).last_index(), 0u);
  c.crash(0);
  *behind = false;
  ASSERT_TRUE(c.run_until(Kind::became_leader, 2, 30.0, 0.01));
  EXPECT_EQ(c.events_of(Kind::became_leader).at(1).node, 2);
  c.run_for(1.0, 0.01);
  ASSERT_TRUE(c.node(2).accepting_writes(0));
  const Log& log = c.node(2).log_of(0);
  ASSERT_EQ(log.last_index(), 6u) << "five copied entries and the no-op";
  for (LogIndex i = 1; i <= 5; ++i)
    EXPECT_EQ(log.at(i).op, i);
  for (NodeId n = 1; n < 5; ++n)
    EXPECT_EQ(c.full_log(n, 0), c.full_log(2, 0)) << "node " << n;
  EXPECT_EQ(c.violation(), "");
}

// MongoDB's catch-up takeover: when the primary-elect cannot copy from the
// member ahead (here its fetches are lost), that member, which sees in the
// primary's heartbeats that it is still catching up and behind it, stands
// after catchUpTakeoverDelayMillis (30 s) and wins: nothing it holds is lost.
TEST(ElectionLogTest, AMemberAheadOfAPrimaryThatCannotCatchUpTakesOverAfterThirtySeconds)
{
  ElectionCluster c(leader_follower_placement(5, 5), WriteConcern::one, node_2_stands_first);
  auto behind = std::make_shared<bool>(true);
  c.net.drop([behind](const Envelope& e) {
    return (*behind && e.from == Address::node(0) && e.to.index >= 2 && std::holds_alternative<Replicate>(e.message)) ||
           std::holds_alternative<CatchUpFetch>(e.message);
  });
  c.start();
  for (OpId op = 1; op <= 5; ++op)
    c.write(op, op, 0);
  c.run_for(1.0, 0.01);
  c.crash(0);
  *behind = false;
  ASSERT_TRUE(c.run_until(Kind::became_leader, 2, 30.0, 0.01));
  const RoleEvent elected = c.events_of(Kind::became_leader).at(1);
  EXPECT_EQ(elected.node, 2);
  ASSERT_TRUE(c.run_until(Kind::became_leader, 3, 60.0, 0.01));
  const RoleEvent took_over = c.events_of(Kind::became_leader).at(2);
  EXPECT_EQ(took_over.node, 1);
  EXPECT_GE(took_over.at - elected.at, 30.0);
  EXPECT_LE(took_over.at - elected.at, 30.0 + 2 * 2.0 + 0.1) << "seen at a heartbeat, then 30 s, at a heartbeat";
  c.run_for(3.0, 0.01);
  EXPECT_TRUE(c.node(1).accepting_writes(0));
  const Log& log = c.node(1).log_of(0);
  for (LogIndex i = 1; i <= 5; ++i)
    EXPECT_EQ(log.at(i).op, i);
  EXPECT_EQ(c.violation(), "");
}

}  // namespace mongodb_catch_up_test
}  // namespace replisim
