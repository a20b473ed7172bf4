// LeaderlessNode under failures, on the fake network: a coordinator's
// pending requests die with it while data survives, and hinted handoff
// (Cassandra's): a write to a replica that is down, or that does not answer
// within the write timeout, leaves a hint that is replayed when the replica
// is up, whatever the length of its outage (max_hint_window only stops new
// hints), never counts toward the level, and survives the coordinator's own
// crash.
#include <gtest/gtest.h>

#include <vector>

#include "protocols/leaderless/leaderless.hpp"
#include "support/fake_network.hpp"
#include "support/leaderless_ring.hpp"

namespace replisim {
namespace leaderless_test {

using test::is;
using test::is_any;

const Address kClient = Address::client(0);
constexpr Key kKey = 42;

// Three nodes, one range replicated on all three (rf 3), one zone.
struct Ring : test::LeaderlessRing {
  using LeaderlessRing::LeaderlessRing;

  // A client write or read at coordinator `at`, taken at once.
  void write(OpId op, NodeId at, Key key = kKey)
  {
    net.inject({kClient, Address::node(at), ClientWrite{op, key}});
    ASSERT_TRUE(net.deliver_first(is<ClientWrite>(Address::node(at))));
  }
  std::vector<WriteReply> replies() const { return net.received<WriteReply>(kClient); }
};

LeaderlessConfig quorum(bool hints, Time window = 3 * 3600.0)
{
  LeaderlessConfig c;
  c.write_level = Consistency::quorum;
  c.hinted_handoff = hints;
  c.max_hint_window = window;
  return c;
}

TEST(LeaderlessFaultTest, DefaultsAreCassandras)
{
  const LeaderlessConfig defaults;
  EXPECT_TRUE(defaults.hinted_handoff);              // hinted_handoff_enabled: true
  EXPECT_EQ(defaults.max_hint_window, 10800.0);      // max_hint_window: 3h
  EXPECT_EQ(defaults.write_timeout, 2.0);            // write_request_timeout: 2000ms
  EXPECT_EQ(defaults.read_timeout, 5.0);             // read_request_timeout: 5000ms
  EXPECT_EQ(defaults.hint_dispatch_interval, 10.0);  // HintsService dispatches every 10 s
  EXPECT_EQ(defaults.read_path, ReadPath::cassandra);
  EXPECT_EQ(defaults.read_repair, ReadRepair::blocking);
  EXPECT_EQ(defaults.speculative_retry.kind, SpeculativeRetry::Kind::percentile);
  EXPECT_EQ(defaults.speculative_retry.value, 99.0);
}

TEST(LeaderlessFaultTest, WithoutHintedHandoffADownReplicaIsSkippedAndNeverCatchesUp)
{
  Ring r(quorum(false));
  r.faults.crash(2);
  const Ready ready = r.node(0).step({kClient, Address::node(0), ClientWrite{1, kKey}}, 1.0);
  EXPECT_EQ(ready.messages.size(), 2u);  // to nodes 0 and 1 only
  EXPECT_EQ(ready.persist, 0u);
  EXPECT_EQ(r.node(0).hint_count(), 0u);

  r.write(1, 0);
  r.net.deliver_all();
  r.faults.recover(2);
  r.net.deliver_all();
  EXPECT_TRUE(r.net.received<ReplicaWrite>(Address::node(2)).empty());
  EXPECT_EQ(r.node(2).version_of(kKey), 0u);
}

TEST(LeaderlessFaultTest, AWriteWhileAReplicaIsDownLeavesAHintReplayedWhenItComesBack)
{
  Ring r(quorum(true));
  r.net.advance_to(1.0);
  r.faults.crash(2);
  r.net.advance_to(2.0);
  const Ready ready = r.node(0).step({kClient, Address::node(0), ClientWrite{1, kKey}}, 2.0);
  EXPECT_EQ(ready.messages.size(), 2u);  // the hint is kept, not sent
  EXPECT_EQ(ready.persist, 1u);          // ...on disk

  r.write(1, 0);
  r.net.deliver_all();
  ASSERT_EQ(r.replies().size(), 1u);
  EXPECT_TRUE(r.replies()[0].ok);
  EXPECT_EQ(r.replies()[0].acks, 2);  // the hint did not count
  const Version written = r.replies()[0].version;
  EXPECT_EQ(r.node(0).hints_for(2), (std::map<Key, Version>{{kKey, written}}));
  EXPECT_EQ(r.node(2).version_of(kKey), 0u);

  r.net.advance_to(3600.0);  // an hour later: within the window
  r.faults.recover(2);
  ASSERT_EQ(r.net.in_flight().size(), 1u);
  const Envelope& replay = r.net.in_flight().front();
  EXPECT_EQ(replay.from, Address::node(0));
  EXPECT_EQ(replay.to, Address::node(2));
  EXPECT_NE(std::get<ReplicaWrite>(replay.message).request, 0u);  // to be acknowledged
  ASSERT_TRUE(r.net.deliver_first(is<ReplicaWrite>(Address::node(2))));
  EXPECT_EQ(r.node(2).version_of(kKey), written);
  EXPECT_EQ(r.node(0).hint_count(), 1u);  // kept until acknowledged
  r.net.deliver_all();
  EXPECT_EQ(r.node(0).hint_count(), 0u);  // delivered, dropped
  EXPECT_EQ(r.node(0).stats().hints_written, 2u);  // the step above wrote one too (same key: one hint kept)
  EXPECT_EQ(r.node(0).stats().hints_replayed, 1u);
  EXPECT_EQ(r.net.received<ReplicaWriteAck>(Address::node(0)).size(), 3u);  // two write acks, one hint ack
}

TEST(LeaderlessFaultTest, AHintKeepsTheNewestVersionOfEachKey)
{
  Ring r(quorum(true));
  r.faults.crash(1);
  r.net.advance_to(1.0);
  r.write(1, 0, 7);
  r.net.advance_to(2.0);
  r.write(2, 2, 7);  // another coordinator: its own hint
  r.net.advance_to(3.0);
  r.write(3, 0, 7);
  r.write(4, 0, 8);
  r.net.deliver_all();
  EXPECT_EQ(r.node(0).hints_for(1), (std::map<Key, Version>{{7, lww_version(3.0, 0)}, {8, lww_version(3.0, 0)}}));
  EXPECT_EQ(r.node(2).hints_for(1), (std::map<Key, Version>{{7, lww_version(2.0, 2)}}));
  r.faults.recover(1);
  r.net.deliver_all();
  EXPECT_EQ(r.node(1).version_of(7), lww_version(3.0, 0));
  EXPECT_EQ(r.node(1).version_of(8), lww_version(3.0, 0));
  EXPECT_EQ(r.net.received<ReplicaWrite>(Address::node(1)).size(), 3u);  // two hints from 0, one from 2
}

// Before 0.3.0 a replica back after the window lost every hint (118 stale
// reads after a 20 s crash with a 10 s window, 54 of them for writes made
// inside the window). Cassandra's window only stops new hints.
TEST(LeaderlessFaultTest, AReplicaDownLongerThanTheWindowGetsTheHintsOfTheWindowButNoNewOnes)
{
  Ring r(quorum(true, 5.0));
  r.faults.crash(2);  // at 0
  r.net.advance_to(1.0);
  r.write(1, 0);
  r.net.deliver_all();
  EXPECT_EQ(r.node(0).hint_count(), 1u);
  r.net.advance_to(5.5);
  r.write(2, 0, 9);  // down 5.5 s: Cassandra stops hinting it
  r.net.deliver_all();
  EXPECT_EQ(r.node(0).hint_count(), 1u);
  r.net.advance_to(20.0);
  r.faults.recover(2);
  r.net.deliver_all();
  EXPECT_EQ(r.net.received<ReplicaWrite>(Address::node(2)).size(), 1u);
  EXPECT_EQ(r.node(2).version_of(kKey), lww_version(1.0, 0));  // written inside the window: replayed
  EXPECT_EQ(r.node(2).version_of(9), 0u);                      // after it: a repair would be needed
  EXPECT_EQ(r.node(0).hint_count(), 0u);
}

// Before 0.3.0 a write that timed out at a replica that was up but cut off
// left no hint (32 stale reads after a 10 s partition healed).
TEST(LeaderlessFaultTest, AReplicaThatDoesNotAnswerInTheWriteTimeoutIsHintedAndGetsItAtTheNextDispatch)
{
  Ring r(quorum(true));
  r.net.isolate(Address::node(2));  // partitioned away; the oracle still sees it up
  r.net.advance_to(1.0);
  r.write(1, 0);
  r.net.deliver_all();
  ASSERT_EQ(r.replies().size(), 1u);
  EXPECT_TRUE(r.replies()[0].ok);  // QUORUM: nodes 0 and 1
  const Version written = r.replies()[0].version;
  EXPECT_EQ(r.node(0).hint_count(), 0u);
  r.net.advance_to(2.999);
  EXPECT_EQ(r.node(0).hint_count(), 0u);
  r.net.advance_to(3.0);  // write_request_timeout: node 2's callback expires
  EXPECT_EQ(r.node(0).hints_for(2), (std::map<Key, Version>{{kKey, written}}));
  r.net.advance_to(13.0);  // the dispatch 10 s later: node 2 still cut off, the hint stays
  r.net.deliver_all();
  EXPECT_EQ(r.node(0).hint_count(), 1u);
  EXPECT_EQ(r.node(2).version_of(kKey), 0u);
  r.net.recover(Address::node(2));  // healed
  r.net.advance_to(23.0);           // the next dispatch delivers it
  r.net.deliver_all();
  EXPECT_EQ(r.node(2).version_of(kKey), written);
  EXPECT_EQ(r.node(0).hint_count(), 0u);
  EXPECT_EQ(r.node(0).stats().hints_replayed, 1u);
}

TEST(LeaderlessFaultTest, AReplicaThatAnswersWithinTheWriteTimeoutIsNotHinted)
{
  Ring r(quorum(true));
  r.net.advance_to(1.0);
  r.write(1, 0);
  ASSERT_TRUE(r.net.deliver_first(is<ReplicaWrite>(Address::node(0))));
  ASSERT_TRUE(r.net.deliver_first(is<ReplicaWrite>(Address::node(1))));
  r.net.deliver_all();  // node 2 answers late, but before the timeout
  r.net.advance_to(4.0);
  EXPECT_EQ(r.node(0).hint_count(), 0u);
  EXPECT_EQ(r.node(0).requests_pending(), 0u);
}

TEST(LeaderlessFaultTest, AllStillFailsAtOnceWhenAReplicaIsDownAndLeavesNoHint)
{
  LeaderlessConfig all = quorum(true);
  all.write_level = Consistency::all;
  Ring r(all);
  r.faults.crash(1);
  const Ready ready = r.node(0).step({kClient, Address::node(0), ClientWrite{5, kKey}}, 1.0);
  ASSERT_EQ(ready.messages.size(), 1u);
  EXPECT_EQ(ready.messages[0].to, kClient);
  const auto& reply = std::get<WriteReply>(ready.messages[0].message);
  EXPECT_FALSE(reply.ok);
  EXPECT_EQ(reply.acks, 0);
  EXPECT_EQ(ready.persist, 0u);
  EXPECT_EQ(r.node(0).hint_count(), 0u);
  EXPECT_TRUE(ready.timers.empty());
}

TEST(LeaderlessFaultTest, HintsSurviveTheCoordinatorsCrashAndAreReplayedWhenItComesBack)
{
  Ring r(quorum(true));
  r.faults.crash(2);
  r.net.advance_to(1.0);
  r.write(1, 0);
  r.net.deliver_all();
  ASSERT_EQ(r.node(0).hint_count(), 1u);
  const Version written = r.replies().at(0).version;

  r.net.advance_to(2.0);
  r.faults.crash(0);
  EXPECT_EQ(r.node(0).hint_count(), 1u);  // on disk
  r.net.advance_to(3.0);
  r.faults.recover(2);  // node 0 is down and hears nothing
  r.net.deliver_all();
  EXPECT_EQ(r.node(2).version_of(kKey), 0u);
  r.net.advance_to(4.0);
  r.faults.recover(0);  // it finds node 2 up: the hint goes out
  r.net.deliver_all();
  EXPECT_EQ(r.node(2).version_of(kKey), written);
  EXPECT_EQ(r.node(0).hint_count(), 0u);
}

TEST(LeaderlessFaultTest, ACrashLosesPendingRequestsButNotData)
{
  LeaderlessConfig c = quorum(false);
  c.write_level = Consistency::all;
  Ring r(c);
  r.net.advance_to(1.0);
  r.write(1, 0);
  // Node 0 applies its own copy, then crashes with the request open.
  ASSERT_TRUE(r.net.deliver_first(is<ReplicaWrite>(Address::node(0))));
  ASSERT_TRUE(r.net.deliver_first(is<ReplicaWrite>(Address::node(1))));
  EXPECT_EQ(r.node(0).requests_pending(), 1u);
  r.faults.crash(0);
  EXPECT_EQ(r.node(0).requests_pending(), 0u);
  EXPECT_EQ(r.node(0).version_of(kKey), lww_version(1.0, 0));  // the data is on disk
  r.net.advance_to(1.5);
  r.faults.recover(0);
  r.net.deliver_all();  // the acks that come back find no request
  r.net.advance_to(10.0);  // nor does the request's timer
  EXPECT_TRUE(r.replies().empty());  // the client times out: the write's fate is unknown to it
  EXPECT_EQ(r.node(0).version_of(kKey), lww_version(1.0, 0));
  EXPECT_EQ(r.node(2).version_of(kKey), lww_version(1.0, 0));

  // A new request after the recovery does not take an old one's id.
  r.write(2, 0, 9);
  r.net.deliver_all();
  ASSERT_EQ(r.replies().size(), 1u);
  EXPECT_TRUE(r.replies()[0].ok);
  EXPECT_EQ(r.replies()[0].op, 2u);
}

TEST(LeaderlessFaultTest, ANodeDownFromTheStartIsHintedFromTheStart)
{
  const Placement placement = leader_follower_placement(3, 3);
  Membership membership = Membership::all_up({0, 0, 0});
  membership.alive[1] = false;  // --down
  LeaderlessNode coordinator(0, placement, membership, quorum(true, 5.0));
  coordinator.step({kClient, Address::node(0), ClientWrite{1, kKey}}, 4.0);
  EXPECT_EQ(coordinator.hint_count(), 1u);
  coordinator.step({kClient, Address::node(0), ClientWrite{2, kKey}}, 5.0);  // down for 5 s: no more
  EXPECT_EQ(coordinator.hints_for(1), (std::map<Key, Version>{{kKey, lww_version(4.0, 0)}}));
}

}  // namespace leaderless_test
}  // namespace replisim
