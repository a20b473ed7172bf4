// Kafka's controller and its rules on their own, without a cluster: the
// leader choice, the preferred-leader rebalance's threshold, fencing at the
// session timeout, ISR proposals, restarts, a new controller's rebuild, and
// how a broker finds its controller.
#include "protocols/kafka/kafka_controller.hpp"

#include <gtest/gtest.h>

#include "protocols/kafka/controller_finder.hpp"
#include "protocols/raft/raft_log.hpp"

namespace replisim {
namespace kafka_controller_test {

using Kind = RoleEvent::Kind;

// "The leader is elected as the first live replica in the assigned replica
// list that is in the ISR" (Kafka's OfflinePartitionLeaderElectionStrategy).
TEST(KafkaControllerTest, TheLeaderIsTheFirstLiveInSyncReplicaInAssignmentOrder)
{
  const std::vector<NodeId> replicas = {3, 1, 2};
  std::vector<bool> fenced(4, false);
  EXPECT_EQ(first_live_in_sync(replicas, {2, 1}, fenced), 1);
  fenced[1] = true;
  EXPECT_EQ(first_live_in_sync(replicas, {2, 1}, fenced), 2);
  EXPECT_EQ(first_live_in_sync(replicas, {1}, fenced), kNoNode);
  EXPECT_EQ(first_live_in_sync(replicas, {0}, fenced), kNoNode);  // not a replica
  EXPECT_EQ(in_assignment_order(replicas, {2, 0, 3}), (std::vector<NodeId>{3, 2}));
}

// Ten partitions prefer broker 0, two prefer broker 1 (replicas {b, 2}).
Placement preferring(int zero, int one)
{
  std::vector<std::vector<NodeId>> replicas;
  for (int i = 0; i < zero; ++i)
    replicas.push_back({0, 2});
  for (int i = 0; i < one; ++i)
    replicas.push_back({1, 2});
  return Placement(3, replicas);
}

std::vector<PartitionState> view_led_by(const Placement& placement, const std::vector<NodeId>& leaders)
{
  std::vector<PartitionState> view;
  for (UnitId u = 0; u < placement.unit_count(); ++u) {
    PartitionState s = placed_state(placement, u);
    s.leader = leaders.at(static_cast<std::size_t>(u));
    view.push_back(s);
  }
  return view;
}

// leader.imbalance.per.broker.percentage: "the controller would trigger a
// leader balance if it goes above this value per broker".
TEST(KafkaControllerTest, APreferredLeaderElectionRunsOnlyAboveTheImbalancePercentage)
{
  const Placement placement = preferring(10, 2);
  const std::vector<bool> fenced(3, false);
  std::vector<NodeId> leaders = {2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
  // Broker 0: 1 of 10 led elsewhere, 10 %: not above 10 %.
  EXPECT_TRUE(preferred_leader_elections(placement, view_led_by(placement, leaders), fenced, 10).empty());
  EXPECT_EQ(preferred_leader_elections(placement, view_led_by(placement, leaders), fenced, 9.9),
            std::vector<UnitId>{0});
  // 2 of 10, 20 %: both go back; broker 1 (0 %) keeps its own.
  leaders[5] = 2;
  EXPECT_EQ(preferred_leader_elections(placement, view_led_by(placement, leaders), fenced, 10),
            (std::vector<UnitId>{0, 5}));
  // Broker 1: 1 of 2, 50 %: not above 50 %, above 49 %.
  leaders = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1};
  EXPECT_TRUE(preferred_leader_elections(placement, view_led_by(placement, leaders), fenced, 50).empty());
  EXPECT_EQ(preferred_leader_elections(placement, view_led_by(placement, leaders), fenced, 49),
            std::vector<UnitId>{10});
  // A leaderless partition counts as led elsewhere.
  leaders = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, kNoNode, 1};
  EXPECT_EQ(preferred_leader_elections(placement, view_led_by(placement, leaders), fenced, 49),
            std::vector<UnitId>{10});
}

// KRaft (no percentage): every partition led elsewhere whose preferred
// replica is live and in sync, whatever its broker's share.
TEST(KafkaControllerTest, WithoutAPercentageEveryMovablePartitionGoesBack)
{
  const Placement placement = preferring(10, 2);
  const std::vector<bool> fenced(3, false);
  const std::vector<NodeId> leaders = {2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1};
  EXPECT_EQ(preferred_leader_elections(placement, view_led_by(placement, leaders), fenced, std::nullopt),
            (std::vector<UnitId>{0, 10}));
  EXPECT_TRUE(preferred_leader_elections(placement, view_led_by(placement, leaders), fenced, 50).empty())
      << "the ZooKeeper controller's gate: 10 % and 50 % are not above 50 %";
}

TEST(KafkaControllerTest, APreferredReplicaFencedOrOutOfTheIsrIsNotMadeLeader)
{
  const Placement placement = preferring(2, 0);
  std::vector<PartitionState> view = view_led_by(placement, {2, 2});
  view[1].isr = {2};
  std::vector<bool> fenced(3, false);
  EXPECT_EQ(preferred_leader_elections(placement, view, fenced, 10), std::vector<UnitId>{0});
  fenced[0] = true;
  EXPECT_TRUE(preferred_leader_elections(placement, view, fenced, 10).empty());
}

TEST(KafkaControllerTest, TheHighWatermarkIsWhatEveryInSyncReplicaHolds)
{
  EXPECT_EQ(high_watermark({9, 4, 7}, {true, false, true}, 3), 7u);
  EXPECT_EQ(high_watermark({9, 4, 7}, {true, true, true}, 3), 4u);
  EXPECT_EQ(high_watermark({9, 4, 7}, {true, true, true}, 5), 5u);  // never backwards
  EXPECT_EQ(high_watermark({9, 0, 0}, {true, false, false}, 2), 9u);
}

TEST(KafkaControllerTest, ControllerMessagesTravelAsWritesAndAcksOffTheWritePath)
{
  EXPECT_EQ(kind_of(BrokerHeartbeat{}), MessageKind::write);
  EXPECT_EQ(kind_of(LeaderAndIsr{}), MessageKind::write);
  EXPECT_EQ(kind_of(AlterPartition{}), MessageKind::write);
  EXPECT_EQ(kind_of(BrokerHeartbeatReply{}), MessageKind::ack);
  for (const Message& m : {Message{BrokerHeartbeat{}}, Message{BrokerHeartbeatReply{}}, Message{LeaderAndIsr{}},
                           Message{AlterPartition{}}}) {
    EXPECT_FALSE(is_write_path(m));
    EXPECT_EQ(values_in(m), 0u);
  }
}

// Three brokers, one partition per broker, replicas {b, b+1, b+2} mod 3.
Placement ring_of_three()
{
  return Placement(3, {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}});
}

KafkaControllerConfig config()
{
  return KafkaControllerConfig{};
}

// The ZooKeeper controller learns of a broker's failure when its ZooKeeper
// session expires: 18 s (zookeeper.session.timeout.ms since Kafka 2.5),
// with pings every 6 s; KRaft's session is 9 s.
TEST(KafkaControllerTest, TheZooKeeperControllerFencesAfterAnEighteenSecondSession)
{
  const KafkaControllerConfig zk = KafkaControllerConfig::zookeeper(300);
  EXPECT_EQ(zk.mode, KafkaControllerMode::zookeeper);
  EXPECT_EQ(zk.broker_heartbeat_interval, 6.0);
  EXPECT_EQ(zk.leader_imbalance_per_broker_pct, 10.0);
  EXPECT_EQ(KafkaControllerConfig{}.mode, KafkaControllerMode::kraft);
  const Placement placement = ring_of_three();
  KafkaController controller(0, placement, zk);
  controller.start(0);
  EXPECT_EQ(zk.quorum_window(), 18.0) << "the controller's own ZooKeeper session";
  controller.on_heartbeat(2, BrokerHeartbeat{}, 12.0);
  EXPECT_EQ(controller.deadline(), 18.0);
  controller.on_timer(17.99);
  EXPECT_FALSE(controller.fenced(1));
  controller.on_timer(18.0);
  EXPECT_TRUE(controller.fenced(1));
}

TEST(KafkaControllerTest, ABrokerIsFencedOneSessionTimeoutAfterItWasLastHeardAndItsPartitionMoves)
{
  const Placement placement = ring_of_three();
  KafkaController controller(0, placement, config());
  controller.start(0);
  EXPECT_EQ(controller.deadline(), 4.0) << "its quorum lapses first: 2 s fetch timeout + 2 s heartbeat";
  controller.on_heartbeat(1, BrokerHeartbeat{}, 2.0);
  controller.on_heartbeat(2, BrokerHeartbeat{}, 2.5);
  EXPECT_EQ(controller.deadline(), 6.5);
  controller.on_heartbeat(2, BrokerHeartbeat{}, 10.5);
  EXPECT_EQ(controller.deadline(), 11.0);
  controller.on_timer(10.99);
  EXPECT_FALSE(controller.fenced(1));
  controller.on_timer(11.0);
  EXPECT_TRUE(controller.fenced(1));
  EXPECT_FALSE(controller.fenced(2));
  EXPECT_EQ(controller.deadline(), 14.5) << "broker 2 keeps its majority until 10.5 + 4";

  // Partition 1 {1, 2, 0} goes to 2 at epoch 2; 1 leaves every ISR.
  EXPECT_EQ(controller.partition(1), (PartitionState{1, 2, 2, 2, {2, 0}}));
  EXPECT_EQ(controller.partition(0), (PartitionState{0, 0, 1, 2, {0, 2}}));
  EXPECT_EQ(controller.partition(2), (PartitionState{2, 2, 1, 2, {2, 0}}));
  const auto events = controller.take_elections();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::election_started);
  EXPECT_EQ(events[0].unit, 1);
  EXPECT_EQ(events[0].node, 2);
  EXPECT_EQ(events[0].term, 2u);
  const auto sent = controller.take_announcements();
  EXPECT_EQ(sent.count(1), 0u) << "nothing to the fenced broker";
  ASSERT_EQ(sent.count(2), 1u);
  EXPECT_EQ(sent.at(2).partitions.size(), 3u);
  ASSERT_EQ(sent.count(0), 1u);
  EXPECT_EQ(sent.at(0).partitions.size(), 3u);

  // Back: unfenced, told its partitions' states, leading none of them.
  EXPECT_TRUE(controller.on_heartbeat(1, BrokerHeartbeat{}, 20.0));
  EXPECT_FALSE(controller.fenced(1));
  EXPECT_EQ(controller.take_announcements().at(1).partitions.size(), 3u);
  EXPECT_EQ(controller.partition(1).leader, 2);
  EXPECT_TRUE(controller.take_elections().empty());
}

TEST(KafkaControllerTest, AnIsrProposalIsTakenAgainstTheCurrentVersionOnlyAndNeverAddsAFencedBroker)
{
  const Placement placement = ring_of_three();
  KafkaController controller(0, placement, config());
  controller.start(0);
  controller.on_heartbeat(2, BrokerHeartbeat{}, 6.0);
  controller.on_timer(9.0);  // broker 1 fenced
  ASSERT_EQ(controller.partition(2), (PartitionState{2, 2, 1, 2, {2, 0}}));
  (void)controller.take_announcements();
  (void)controller.take_elections();

  const auto propose = [&](NodeId leader, PartitionState p) { controller.on_alter_partition(leader, {{p}}, 9.5); };
  propose(2, {2, 2, 1, 2, {2, 0, 1}});  // 1 is fenced
  EXPECT_EQ(controller.partition(2).version, 2u);
  propose(2, {2, 2, 1, 1, {2}});  // against version 1
  EXPECT_EQ(controller.partition(2).version, 2u);
  propose(0, {2, 0, 1, 2, {2}});  // not from the leader
  EXPECT_EQ(controller.partition(2).version, 2u);
  propose(2, {2, 2, 1, 2, {2}});
  EXPECT_EQ(controller.partition(2), (PartitionState{2, 2, 1, 3, {2}}));
  const auto sent = controller.take_announcements();
  EXPECT_EQ(sent.at(2).partitions, std::vector<PartitionState>{controller.partition(2)});
  EXPECT_EQ(sent.at(0).partitions, std::vector<PartitionState>{controller.partition(2)});
  EXPECT_TRUE(controller.take_elections().empty());
}

// KIP-595: a controller decides only with a majority of the voters (here
// the brokers, itself included) heard within controller.quorum.fetch.timeout.ms
// (2 s; plus a 2 s heartbeat interval, the only contact modelled). Cut off
// with no broker heard from, it fences nobody, approves no ISR change and
// resigns; one broker heard from is a majority of three.
TEST(KafkaControllerTest, AControllerThatHearsFromNoMajorityDecidesNothingAndResigns)
{
  const Placement placement = ring_of_three();
  KafkaController controller(0, placement, config());
  controller.start(0);
  EXPECT_TRUE(controller.has_quorum(3.99));
  EXPECT_FALSE(controller.has_quorum(4.0));
  EXPECT_FALSE(controller.resigns(3.99));
  EXPECT_TRUE(controller.resigns(4.0));
  EXPECT_EQ(controller.deadline(), 4.0);

  controller.on_alter_partition(0, {{PartitionState{0, 0, 1, 1, {0}}}}, 5.0);
  EXPECT_EQ(controller.partition(0), (PartitionState{0, 0, 1, 1, {0, 1, 2}})) << "no AlterPartition approved";
  controller.on_timer(9.0);
  EXPECT_FALSE(controller.fenced(1));
  EXPECT_FALSE(controller.fenced(2));
  EXPECT_EQ(controller.partition(1), (PartitionState{1, 1, 1, 1, {1, 2, 0}})) << "no leader moved";
  EXPECT_TRUE(controller.take_announcements().empty());
  EXPECT_TRUE(controller.take_elections().empty());

  // Broker 2 heard again: a majority with the controller, which then fences
  // broker 1 (silent for its 9 s session) and moves its partition.
  controller.on_heartbeat(2, BrokerHeartbeat{}, 9.5);
  EXPECT_TRUE(controller.has_quorum(9.5));
  EXPECT_FALSE(controller.resigns(9.5));
  controller.on_timer(9.5);
  EXPECT_TRUE(controller.fenced(1));
  EXPECT_EQ(controller.partition(1), (PartitionState{1, 2, 2, 2, {2, 0}}));
  EXPECT_EQ(controller.take_elections().size(), 1u);
}

// A broker that crashed and came back within its session leads nothing, so
// its partition moves at once, though it was never fenced.
TEST(KafkaControllerTest, ABrokerBackFromACrashWithinItsSessionLosesItsLeadershipAtOnce)
{
  const Placement placement = ring_of_three();
  KafkaController controller(0, placement, config());
  controller.start(0);
  BrokerHeartbeat back{.registering = true, .restarted = true, .report = {}};
  for (UnitId u : {0, 1, 2}) {
    PartitionState unknown;  // version 0: no state to report
    unknown.unit = u;
    back.report.push_back({unknown, 1});
  }
  EXPECT_TRUE(controller.on_heartbeat(1, back, 3.0));
  EXPECT_FALSE(controller.fenced(1));
  EXPECT_EQ(controller.partition(1), (PartitionState{1, 2, 2, 2, {2, 0}}));
  EXPECT_EQ(controller.partition(0).isr, (std::vector<NodeId>{0, 2}));
  ASSERT_EQ(controller.take_elections().size(), 1u);
}

// A new controller decides nothing for a partition until each of its
// replicas has registered or been fenced; the newest reported state wins and
// a new epoch is above every term reported.
TEST(KafkaControllerTest, ANewControllerRebuildsItsViewFromRegistrations)
{
  const Placement placement = ring_of_three();
  KafkaController controller(1, placement, config());
  const auto registration = [](std::vector<ReplicaReport> report) {
    return BrokerHeartbeat{.registering = true, .restarted = false, .report = std::move(report)};
  };
  // Node 1's own: partition 0 led by 0 at epoch 3, version 5; its term of partition 2 is 4.
  controller.take_over(20.0, {0},
                       registration({{PartitionState{0, 0, 3, 5, {0, 1, 2}}, 3},
                                     {PartitionState{1, 1, 1, 1, {1, 2, 0}}, 1},
                                     {PartitionState{2, 2, 1, 1, {2, 0, 1}}, 4}}));
  EXPECT_TRUE(controller.fenced(0));
  EXPECT_TRUE(controller.take_elections().empty()) << "broker 2 has not registered";
  EXPECT_EQ(controller.partition(0).version, 5u);

  // Broker 2 knows a later version of partition 0, whose ISR has dropped 1.
  EXPECT_TRUE(controller.on_heartbeat(2, registration({{PartitionState{0, 0, 3, 6, {0, 2}}, 3},
                                                       {PartitionState{1, 1, 1, 1, {1, 2, 0}}, 1},
                                                       {PartitionState{2, 2, 1, 1, {2, 0, 1}}, 1}}),
                                      20.1));
  EXPECT_EQ(controller.partition(0), (PartitionState{0, 2, 4, 7, {2}}));
  EXPECT_EQ(controller.partition(1), (PartitionState{1, 1, 1, 2, {1, 2}}));
  EXPECT_EQ(controller.partition(2), (PartitionState{2, 2, 5, 2, {2, 1}})) << "epoch above the reported term 4";
  const auto events = controller.take_elections();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].unit, 0);
  EXPECT_EQ(events[0].node, 2);
}

// ControllerFinder: node 0 first; on a session without an answer from the
// controller, the next id; a node takes over when every lower id gave no
// answer at all; a redirect is followed unless it names a silent node.
TEST(KafkaControllerTest, ABrokerTurnsToTheNextNodeAfterASessionWithoutItsController)
{
  ControllerFinder broker(2, 4, 9.0);
  broker.start(0);
  EXPECT_EQ(broker.controller(), 0);
  EXPECT_FALSE(broker.heartbeat_due(8.9));
  EXPECT_FALSE(broker.on_reply(0, {0, true}, 8.0));
  EXPECT_FALSE(broker.heartbeat_due(16.9));
  EXPECT_FALSE(broker.heartbeat_due(17.0));
  EXPECT_EQ(broker.controller(), 1);
  EXPECT_EQ(broker.confirmed(), kNoNode);
  EXPECT_FALSE(broker.registered());
  EXPECT_EQ(broker.silent(), std::vector<NodeId>{0});
  EXPECT_FALSE(broker.on_reply(1, {0, false}, 17.1));  // node 1 has not noticed yet: 0 is silent
  EXPECT_EQ(broker.controller(), 1);
  EXPECT_FALSE(broker.heartbeat_due(26.05));  // node 1 answered: alive, so not node 2's turn
  EXPECT_EQ(broker.controller(), 3);
  EXPECT_EQ(broker.silent(), std::vector<NodeId>{0});
  EXPECT_FALSE(broker.on_reply(3, {1, true}, 26.2));  // a redirect to a controller found since
  EXPECT_EQ(broker.controller(), 1);
  EXPECT_FALSE(broker.on_reply(1, {1, false}, 26.3));
  EXPECT_EQ(broker.confirmed(), 1);
  EXPECT_TRUE(broker.silent().empty());

  ControllerFinder next(1, 4, 9.0);
  next.start(0);
  EXPECT_TRUE(next.heartbeat_due(9.0)) << "node 0 silent: node 1 is the lowest live id";
  EXPECT_EQ(next.silent(), std::vector<NodeId>{0});

  ControllerFinder back(0, 4, 9.0);
  EXPECT_FALSE(back.restart(30.0));
  EXPECT_EQ(back.controller(), 1) << "asks the node after it first";
  EXPECT_TRUE(back.restarted());
  EXPECT_FALSE(back.on_reply(1, {2, false}, 30.1));
  EXPECT_EQ(back.controller(), 2);
  EXPECT_FALSE(back.on_reply(2, {2, true}, 30.2));
  EXPECT_TRUE(back.registered());
  EXPECT_FALSE(back.restarted());
  EXPECT_FALSE(back.on_reply(2, {0, false}, 30.3)) << "a redirect sent before node 2 took over";
  EXPECT_EQ(back.controller(), 2);

  ControllerFinder named(0, 4, 9.0);
  named.restart(40.0);
  EXPECT_TRUE(named.on_reply(1, {0, false}, 40.1)) << "the others still take it for the controller";

  ControllerFinder resigned(0, 3, 9.0);
  resigned.start(0);
  resigned.resigned(14.0);
  EXPECT_EQ(resigned.controller(), 1) << "a controller without a majority asks the node after it";
  EXPECT_EQ(resigned.confirmed(), kNoNode);
  EXPECT_FALSE(resigned.registered());
  EXPECT_FALSE(resigned.heartbeat_due(22.9));
  EXPECT_FALSE(resigned.heartbeat_due(23.0));
  EXPECT_EQ(resigned.controller(), 2);

  ControllerFinder alone(0, 1, 9.0);
  EXPECT_TRUE(alone.restart(1.0));
}

}  // namespace kafka_controller_test
}  // namespace replisim
