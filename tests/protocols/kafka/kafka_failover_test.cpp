// Kafka's controller-driven failover (FailoverConfig::kafka) over the fake
// network, with Raft's safety properties and the acknowledged writes checked
// after every input a node handles (support/election_cluster.hpp). Expected
// leaders are worked out from kafka_assignment's table in the test, not asked
// of the controller.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "support/election_cluster.hpp"
#include "protocols/kafka/kafka_assignment.hpp"

namespace replisim {
namespace kafka_failover_test {

using test::ElectionCluster;
using test::key_in;
using Kind = RoleEvent::Kind;

constexpr Time kTick = 0.01;  // a message's delay: delivered at the next tick
constexpr int kBrokers = 6;
constexpr int kPartitions = 7;
constexpr int kRf = 3;
constexpr int kStartIndex = 2;  // broker 2 prefers two partitions (0 and 6), the others one each

const KafkaControllerConfig kDefaults;

using Table = std::vector<std::vector<NodeId>>;

// Each node's count of partitions it leads (live leaders only).
std::vector<int> leader_counts(const ElectionCluster& c)
{
  std::vector<int> counts(static_cast<std::size_t>(c.placement.node_count()), 0);
  for (UnitId u = 0; u < c.placement.unit_count(); ++u)
    if (const NodeId leader = c.leader(u); leader != kNoNode)
      ++counts[static_cast<std::size_t>(leader)];
  return counts;
}

std::vector<int> counts_of(const std::vector<NodeId>& leaders, int nodes)
{
  std::vector<int> counts(static_cast<std::size_t>(nodes), 0);
  for (NodeId l : leaders)
    if (l != kNoNode)
      ++counts[static_cast<std::size_t>(l)];
  return counts;
}

std::vector<NodeId> leaders_of(const ElectionCluster& c)
{
  std::vector<NodeId> leaders;
  for (UnitId u = 0; u < c.placement.unit_count(); ++u)
    leaders.push_back(c.leader(u));
  return leaders;
}

// A producer at acks=all: every `period`, one write to each partition's
// current leader (none while it has none).
class Producer {
public:
  Producer(ElectionCluster& c, Time period) : c_(c), period_(period) {}

  // Runs until `until` exactly (timers due then have fired, and what they
  // sent is delivered), writing on the way.
  void run_until(Time until)
  {
    while (c_.net.now() < until) {
      if (c_.net.now() >= next_ - 1e-9) {
        for (UnitId u = 0; u < c_.placement.unit_count(); ++u)
          if (const NodeId leader = c_.leader(u); leader != kNoNode) {
            const OpId op = ++op_;
            c_.write(op, key_in(c_.placement, u, op * 1000), leader);
          }
        next_ += period_;
      }
      c_.net.deliver_all();
      c_.net.advance_to(std::min(until, c_.net.now() + kTick));
    }
    c_.net.deliver_all();
  }
  OpId written() const { return op_; }

private:
  ElectionCluster& c_;
  Time period_;
  Time next_ = 0;
  OpId op_ = 0;
};

// Every acknowledged write is in the log of every replica of its unit, at or
// below that replica's commit index.
void expect_acknowledged_writes_committed_everywhere(const ElectionCluster& c)
{
  ASSERT_FALSE(c.acked.empty());
  for (const test::Acked& a : c.acked)
    for (NodeId r : c.placement.replicas(a.unit)) {
      const std::vector<LogEntry>& log = c.full_log(r, a.unit);  // the compacted prefix included
      const auto it = std::find_if(log.begin(), log.end(), [&](const LogEntry& e) { return e.op == a.op; });
      ASSERT_NE(it, log.end()) << "write " << a.op << " is missing from node " << r;
      EXPECT_LE(static_cast<LogIndex>(it - log.begin()) + 1, c.node(r).commit_index(a.unit))
          << "write " << a.op << " is not committed on node " << r;
    }
}

// The first replica of `replicas`, in assignment order, that is not `dead`.
NodeId first_other(const std::vector<NodeId>& replicas, NodeId dead)
{
  return *std::find_if(replicas.begin(), replicas.end(), [&](NodeId r) { return r != dead; });
}

// The preset on six brokers, seven partitions of three replicas, with a
// producer writing to every partition every 2 s.
class KafkaPresetTest : public ::testing::Test {
protected:
  void SetUp() override { c.start(); }

  std::vector<NodeId> preferred_leaders() const
  {
    std::vector<NodeId> leaders;
    for (const auto& replicas : table)
      leaders.push_back(replicas.front());
    return leaders;
  }

  const Table table = kafka_assignment(kBrokers, kPartitions, kRf, kStartIndex);
  ElectionCluster c{kafka_placement(kBrokers, kPartitions, kRf, kStartIndex), WriteConcern::all,
                    FailoverConfig::kafka(1)};
  Producer producer{c, 2.0};
};

TEST(KafkaFailoverTest, TheKafkaPresetHasKafkasDefaults)
{
  const FailoverConfig c = FailoverConfig::kafka(5);
  EXPECT_TRUE(c.enabled);
  EXPECT_TRUE(c.controller.enabled);
  EXPECT_EQ(c.controller.broker_heartbeat_interval, 2.0);
  EXPECT_EQ(c.controller.broker_session_timeout, 9.0);
  EXPECT_EQ(c.controller.leader_imbalance_check_interval, 300.0);
  EXPECT_EQ(c.controller.leader_imbalance_per_broker_pct, 10.0);
  EXPECT_EQ(c.replica_lag_max, 30.0);
  EXPECT_EQ(c.heartbeat_interval, 0.5);
  EXPECT_FALSE(c.catch_up);
  EXPECT_NO_THROW(validate(c));
  FailoverConfig bad = c;
  bad.controller.broker_session_timeout = 2.0;  // not above the heartbeat interval
  EXPECT_THROW(validate(bad), std::invalid_argument);
  bad = c;
  bad.controller.leader_imbalance_per_broker_pct = 101;
  EXPECT_THROW(validate(bad), std::invalid_argument);
  bad = FailoverConfig::none();
  bad.controller.enabled = true;
  EXPECT_THROW(validate(bad), std::invalid_argument);
}

// The scenario of the preset: the broker leading the most partitions crashes
// at 10 s and comes back at 60 s; the controller (node 0) moves its
// partitions to the first live in-sync replica in assignment order after the
// session timeout, leaves them there when it returns, and gives them back at
// the first rebalance check (300 s).
TEST_F(KafkaPresetTest, ABrokerFailsOverAfterTheSessionTimeoutAndGetsItsPartitionsBackAtTheRebalance)
{

  const std::vector<NodeId> preferred = preferred_leaders();
  producer.run_until(10.0);
  EXPECT_EQ(leader_counts(c), counts_of(preferred, kBrokers));
  const std::vector<int> before = leader_counts(c);
  const NodeId victim = static_cast<NodeId>(std::max_element(before.begin(), before.end()) - before.begin());
  ASSERT_EQ(victim, 2);
  ASSERT_EQ(before[2], 2);

  c.crash(victim);
  producer.run_until(10.0 + kDefaults.broker_session_timeout + 0.5);
  std::vector<NodeId> failed_over = preferred;
  for (std::size_t p = 0; p < table.size(); ++p)
    if (preferred[p] == victim)
      failed_over[p] = first_other(table[p], victim);  // every replica was in sync
  EXPECT_EQ(failed_over[0], 5);
  EXPECT_EQ(failed_over[6], 0);
  EXPECT_EQ(leaders_of(c), failed_over);
  EXPECT_EQ(leader_counts(c), counts_of(failed_over, kBrokers));

  producer.run_until(60.0);
  c.recover(victim);
  producer.run_until(299.0);
  EXPECT_EQ(leaders_of(c), failed_over) << "leadership does not move back by itself";
  for (std::size_t p = 0; p < table.size(); ++p) {
    if (preferred[p] == victim) {
      EXPECT_TRUE(c.node(failed_over[p]).in_sync(static_cast<UnitId>(p), victim)) << "partition " << p;
    }
  }

  producer.run_until(301.0);
  EXPECT_EQ(leaders_of(c), preferred);
  EXPECT_EQ(leader_counts(c), before);

  c.run_for(5.0, kTick);  // no more writes: the high watermark reaches every follower
  expect_acknowledged_writes_committed_everywhere(c);
  EXPECT_GT(c.acked.size(), producer.written() * 9 / 10);
  EXPECT_EQ(c.violation(), "");
}

// "broker.session.timeout.ms: the length of time in milliseconds that a
// broker lease lasts if no heartbeats are made": the controller moves a
// crashed broker's partitions one session timeout after its last heartbeat,
// which is at most one heartbeat interval before the crash.
TEST_F(KafkaPresetTest, FailoverComesOneSessionTimeoutAfterTheLastHeartbeat)
{
  const Time crash = 11.3;  // heartbeats leave every 2 s: the last one of broker 2 at 10 s
  producer.run_until(crash);
  c.crash(2);
  producer.run_until(30.0);

  const auto elected = c.events_of(Kind::became_leader);
  std::set<UnitId> moved;
  for (const RoleEvent& e : elected) {
    if (e.at < crash)
      continue;
    moved.insert(e.unit);
    EXPECT_EQ(e.term, 2u);
    EXPECT_GE(e.at, 10.0 + kDefaults.broker_session_timeout);
    EXPECT_LE(e.at, 10.0 + kDefaults.broker_session_timeout + 3 * kTick);
    EXPECT_LE(e.at - crash, kDefaults.broker_session_timeout + 3 * kTick);
    EXPECT_GE(e.at - crash, kDefaults.broker_session_timeout - kDefaults.broker_heartbeat_interval);
  }
  EXPECT_EQ(moved, (std::set<UnitId>{0, 6}));
  // A controller-driven change counts as one election and never a split vote.
  const auto started = c.events_of(Kind::election_started);
  ASSERT_EQ(started.size(), 2u);
  for (const RoleEvent& e : started)  // the heartbeat of 10 s arrived a tick later
    EXPECT_NEAR(e.at, 10.0 + kDefaults.broker_session_timeout, 2 * kTick);
  EXPECT_TRUE(c.events_of(Kind::election_lost).empty());
  EXPECT_EQ(c.violation(), "");
}

// unclean.leader.election.enable = false: a partition whose in-sync replicas
// are all down has no leader, even with other replicas up, and refuses
// writes; its last in-sync replica leads it again when it comes back.
TEST(KafkaFailoverTest, APartitionWhoseWholeIsrIsDownStaysLeaderlessAndRefusesWrites)
{
  // Partition 1's replicas are 1, 2 and 3; node 0, the controller, holds
  // none. Seven nodes, so that the controller keeps a majority (KIP-595)
  // with the three down.
  const Placement placement = kafka_placement(7, 7, 3, 0);
  ASSERT_EQ(std::vector<NodeId>(placement.replicas(1).begin(), placement.replicas(1).end()),
            (std::vector<NodeId>{1, 2, 3}));
  ElectionCluster c(placement, WriteConcern::all, FailoverConfig::kafka(1), 2);  // min.insync.replicas 2
  c.start();
  const Key key = key_in(placement, 1);
  c.write(1, key, 1);
  c.run_for(5.0, kTick);
  ASSERT_EQ(c.replies().size(), 1u);
  ASSERT_TRUE(c.replies()[0].ok);

  c.crash(2);
  c.crash(3);
  c.run_for(15.0, kTick);  // fenced at 13 s: the ISR shrinks to the leader
  ASSERT_EQ(c.leader(1), 1);
  EXPECT_FALSE(c.node(1).in_sync(1, 2));
  EXPECT_FALSE(c.node(1).in_sync(1, 3));
  c.write(2, key, 1);
  c.run_for(0.1, kTick);
  ASSERT_EQ(c.replies().size(), 2u);
  EXPECT_FALSE(c.replies()[1].ok) << "fewer in sync than min.insync.replicas";

  c.crash(1);
  c.run_for(20.0, kTick);  // 40 s: broker 1 fenced at 29 s, its ISR of one with it
  c.recover(2);
  c.recover(3);
  c.run_for(20.0, kTick);  // 60 s
  EXPECT_EQ(c.leader(1), kNoNode);
  for (NodeId n : {2, 3}) {
    EXPECT_EQ(c.node(n).leader_of(1), kNoNode);
    EXPECT_EQ(c.node(n).term_of(1), 2u) << "the leaderless state has its own epoch";
  }
  const PartitionState& decided = c.node(0).controller().partition(1);
  EXPECT_EQ(decided.leader, kNoNode);
  EXPECT_EQ(decided.isr, std::vector<NodeId>{1});
  c.write(3, key, 2);
  c.write(4, key, 3);
  c.run_for(1.0, kTick);
  ASSERT_EQ(c.replies().size(), 4u);
  for (std::size_t i = 2; i < 4; ++i) {
    EXPECT_FALSE(c.replies()[i].ok);
    EXPECT_EQ(c.replies()[i].leader, kNoNode);
  }
  for (const RoleEvent& e : c.events_of(Kind::became_leader))
    EXPECT_FALSE(e.unit == 1 && e.node != 1) << "an out-of-sync replica led partition 1 at " << e.at;

  c.recover(1);
  c.run_for(5.0, kTick);
  EXPECT_EQ(c.leader(1), 1);
  EXPECT_EQ(c.node(1).term_of(1), 3u);
  EXPECT_TRUE(c.node(1).in_sync(1, 2));
  EXPECT_TRUE(c.node(1).in_sync(1, 3));
  c.write(5, key, 1);
  c.run_for(1.0, kTick);
  ASSERT_EQ(c.replies().size(), 5u);
  EXPECT_TRUE(c.replies()[4].ok);
  EXPECT_EQ(c.replies()[4].version, 2u);  // after the first write's version 1
  EXPECT_EQ(c.violation(), "");
}

// The controller, node 0, crashes: node 1 notices after a session timeout,
// takes over, rebuilds its view from the brokers' registrations, fences node
// 0 and moves its partition; node 0 comes back as a broker, and gets its
// partition back at node 1's first rebalance check.
TEST_F(KafkaPresetTest, TheNextNodeTakesOverFromACrashedController)
{
  producer.run_until(10.0);
  ASSERT_TRUE(c.node(0).is_controller());
  c.crash(0);
  producer.run_until(19.9);
  EXPECT_FALSE(c.node(1).is_controller());
  producer.run_until(20.5);  // the last answer from node 0 came at 10 s; brokers look again at 20 s
  ASSERT_TRUE(c.node(1).is_controller());
  for (NodeId n = 2; n < kBrokers; ++n)
    EXPECT_FALSE(c.node(n).is_controller());
  const std::vector<NodeId> preferred = preferred_leaders();
  std::vector<NodeId> failed_over = preferred;
  failed_over[4] = first_other(table[4], 0);
  EXPECT_EQ(failed_over[4], 3);
  EXPECT_EQ(leaders_of(c), failed_over);
  const auto started = c.events_of(Kind::election_started);
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].unit, 4);
  EXPECT_EQ(started[0].node, 3);
  EXPECT_LE(started[0].at - 10.0, kDefaults.broker_session_timeout + kDefaults.broker_heartbeat_interval + 3 * kTick);

  producer.run_until(60.0);
  c.recover(0);
  producer.run_until(62.0);
  EXPECT_FALSE(c.node(0).is_controller()) << "control does not move back";
  EXPECT_TRUE(c.node(1).is_controller());
  EXPECT_FALSE(c.node(1).controller().fenced(0));
  producer.run_until(319.0);  // node 1's first check: 300 s after it took over
  EXPECT_EQ(leaders_of(c), failed_over);
  producer.run_until(321.0);
  EXPECT_EQ(leaders_of(c), preferred);
  c.run_for(5.0, kTick);
  expect_acknowledged_writes_committed_everywhere(c);
  EXPECT_EQ(c.violation(), "");
}

// The controller crashes and is back before anyone noticed: the node it
// asks first still takes it for the controller, so it resumes control at
// once, rebuilds its view from the registrations, and (back from a crash,
// leading nothing) hands its partition to the next in-sync replica; no
// other node takes over.
TEST_F(KafkaPresetTest, AControllerBackWithinTheSessionTimeoutResumesControl)
{
  producer.run_until(10.0);
  c.crash(0);
  producer.run_until(14.0);
  c.recover(0);
  producer.run_until(14.5);
  EXPECT_TRUE(c.node(0).is_controller());
  EXPECT_EQ(c.leader(4), 3) << "partition 4 {0, 3, 4}: node 0 back from a crash leads nothing";
  producer.run_until(60.0);
  for (NodeId n = 1; n < kBrokers; ++n)
    EXPECT_FALSE(c.node(n).is_controller()) << n;
  std::set<NodeId> elected;
  for (const RoleEvent& e : c.events_of(Kind::election_started))
    elected.insert(e.node);
  EXPECT_EQ(elected, std::set<NodeId>{3});
  producer.run_until(315.0);  // node 0 took over again at 14 s: its first check at 314 s
  EXPECT_EQ(c.leader(4), 0);
  c.run_for(5.0, kTick);
  expect_acknowledged_writes_committed_everywhere(c);
  EXPECT_EQ(c.violation(), "");
}

// The ZooKeeper controller's leader.imbalance.per.broker.percentage: broker
// 2 gets one of its two partitions back by failover (50 % imbalance),
// broker 3 none of its two (100 %); at 50 % the check moves broker 3's back
// and leaves broker 2's.
TEST(KafkaFailoverTest, ABrokerAtTheImbalanceThresholdIsNotRebalancedOneAboveIs)
{
  // Partitions preferring 2: 2 {2, 3, 4} and 8 {2, 4, 5}; preferring 3: 3 {3, 4, 5} and 9 {3, 5, 0}.
  const Table table = kafka_assignment(6, 12, 3, 0);
  ASSERT_EQ(table[2], (std::vector<NodeId>{2, 3, 4}));
  ASSERT_EQ(table[8], (std::vector<NodeId>{2, 4, 5}));
  ASSERT_EQ(table[3], (std::vector<NodeId>{3, 4, 5}));
  ASSERT_EQ(table[9], (std::vector<NodeId>{3, 5, 0}));
  FailoverConfig config = FailoverConfig::kafka(1);
  config.controller.mode = KafkaControllerMode::zookeeper;
  config.controller.leader_imbalance_per_broker_pct = 50;
  ElectionCluster c(kafka_placement(6, 12, 3, 0), WriteConcern::all, config);
  c.start();
  Producer producer(c, 5.0);
  producer.run_until(10.0);
  c.crash(2);
  producer.run_until(30.0);
  EXPECT_EQ(c.leader(2), 3);
  EXPECT_EQ(c.leader(8), 4);
  c.recover(2);
  producer.run_until(60.0);
  c.crash(3);
  producer.run_until(80.0);
  EXPECT_EQ(c.leader(2), 2) << "the first live in-sync replica is the preferred one again";
  EXPECT_EQ(c.leader(8), 4);
  EXPECT_EQ(c.leader(3), 4);
  EXPECT_EQ(c.leader(9), 5);
  c.recover(3);
  producer.run_until(299.0);
  EXPECT_EQ(c.leader(3), 4);
  producer.run_until(301.0);
  EXPECT_EQ(c.leader(8), 4) << "broker 2: 1 of 2 led elsewhere, 50 %, not above 50 %";
  EXPECT_EQ(c.leader(3), 3) << "broker 3: 2 of 2 led elsewhere, 100 %";
  EXPECT_EQ(c.leader(9), 3);
  EXPECT_EQ(c.leader(2), 2);
  EXPECT_EQ(c.violation(), "");
}

// KRaft reads no percentage: the same failovers, and at the check every
// partition whose preferred leader is live and in sync goes back to it,
// broker 2's partition 8 (50 %) too. The controller used to keep it where it
// was, as the ZooKeeper controller did.
TEST(KafkaFailoverTest, UnderKRaftEveryPartitionGoesBackToItsLiveInSyncPreferredLeader)
{
  FailoverConfig config = FailoverConfig::kafka(1);
  ASSERT_EQ(config.controller.mode, KafkaControllerMode::kraft);
  config.controller.leader_imbalance_per_broker_pct = 50;  // ignored
  ElectionCluster c(kafka_placement(6, 12, 3, 0), WriteConcern::all, config);
  c.start();
  Producer producer(c, 5.0);
  producer.run_until(10.0);
  c.crash(2);
  producer.run_until(30.0);
  c.recover(2);
  producer.run_until(60.0);
  c.crash(3);
  producer.run_until(80.0);
  ASSERT_EQ(c.leader(8), 4);
  c.recover(3);
  producer.run_until(299.0);
  EXPECT_EQ(c.leader(8), 4);
  EXPECT_EQ(c.leader(3), 4);
  producer.run_until(301.0);
  EXPECT_EQ(c.leader(8), 2) << "broker 2: 1 of 2 led elsewhere, moved back all the same";
  EXPECT_EQ(c.leader(3), 3);
  EXPECT_EQ(c.leader(9), 3);
  EXPECT_EQ(c.violation(), "");
}

// Election Safety for controller-driven leaders: through broker and
// controller crashes, returns and rebalances, no partition has two leaders
// at one epoch, and epochs only grow.
TEST(KafkaFailoverTest, AtMostOneLeaderPerPartitionPerEpoch)
{
  FailoverConfig config = FailoverConfig::kafka(1);
  config.controller.leader_imbalance_check_interval = 60;
  // min.insync.replicas 2: no write is acknowledged by one replica alone.
  ElectionCluster c(kafka_placement(kBrokers, 12, kRf, 1), WriteConcern::all, config, 2);
  c.start();
  Producer producer(c, 3.0);
  const std::vector<std::pair<Time, NodeId>> crashes = {{5.0, 3}, {17.0, 0}, {40.0, 4}, {95.0, 1}};
  const std::vector<std::pair<Time, NodeId>> returns = {{30.0, 3}, {70.0, 0}, {80.0, 4}, {130.0, 1}};
  for (Time t = 0; t < 200.0; t += 1.0) {
    for (const auto& [at, n] : crashes)
      if (at == t)
        c.crash(n);
    for (const auto& [at, n] : returns)
      if (at == t)
        c.recover(n);
    producer.run_until(t + 1.0);
  }
  c.run_for(5.0, kTick);

  std::map<std::pair<UnitId, Term>, std::set<NodeId>> leaders;
  std::map<UnitId, Term> last_epoch;
  for (const RoleEvent& e : c.events_of(Kind::became_leader)) {
    leaders[{e.unit, e.term}].insert(e.node);
    EXPECT_GE(e.term, last_epoch[e.unit]) << "unit " << e.unit;
    last_epoch[e.unit] = e.term;
  }
  for (const auto& [unit_epoch, nodes] : leaders)
    EXPECT_EQ(nodes.size(), 1u) << "unit " << unit_epoch.first << " epoch " << unit_epoch.second;
  EXPECT_GT(leaders.size(), 12u + 12u);  // failovers and rebalances happened
  EXPECT_TRUE(c.events_of(Kind::election_lost).empty());
  for (UnitId u = 0; u < 12; ++u)
    EXPECT_EQ(c.leader(u), c.placement.primary(u)) << "rebalanced back by the end";
  expect_acknowledged_writes_committed_everywhere(c);
  EXPECT_EQ(c.violation(), "");
}

}  // namespace kafka_failover_test
}  // namespace replisim
