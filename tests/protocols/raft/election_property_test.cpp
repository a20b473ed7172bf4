// The property behind failover: no write acknowledged with a majority
// (w:majority, or acks=all with min.insync 2 of 3) is ever lost, over 100
// seeded random schedules of crashes, recoveries, partitions, drops, delays
// and reorderings, with Raft's safety properties (Ongaro and Ousterhout,
// USENIX ATC 2014, Figure 3) checked after every input a node handles; then,
// once every node is back and the network heals, every unit has one leader
// and every replica holds every acknowledged write (§5.3: "Eventually
// nextIndex will reach a point where the leader and follower logs match").
// The same for leaders chosen by a Kafka controller, with crashes over
// channels that deliver in order, lose nothing but what a crash loses and
// take no time against the timeouts (its model: see kafka_controller.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <vector>

#include "support/election_cluster.hpp"
#include "support/property_runs.hpp"
#include "protocols/kafka/kafka_assignment.hpp"

namespace replisim {
namespace election_property_test {

using test::ElectionCluster;

struct Setup {
  Placement placement;
  WriteConcern concern;
  int min_insync;
  FailoverConfig failover;
  // Partitions, lost messages, reordering and delays among the faults;
  // without, crashes only, over channels that deliver in order (as TCP
  // does) within a step of the clock.
  bool lossy = true;
  // With a Kafka controller: whether it may crash too. Its successor
  // rebuilds its view from the brokers, which loses the decisions only
  // brokers then down had received (KRaft replicates them): the property
  // holds for broker failures, with the controller up.
  bool controller_may_crash = true;
};

FailoverConfig raft(std::uint64_t seed, bool catch_up)
{
  FailoverConfig config = FailoverConfig::raft(0.150, 0.300, 0.050, seed);
  config.catch_up = catch_up;
  return config;
}

// Replica sets of 3 and 5 at w:majority (the set of 5 with MongoDB's
// catch-up, on Raft's time scale), and Kafka-style partitions (four
// partitions of three replicas on four brokers) at acks=all with
// min.insync.replicas 2.
Setup setup_for(std::uint64_t seed)
{
  switch (seed % 3) {
    case 0: return {leader_follower_placement(3, 3), WriteConcern::majority, 1, raft(seed, false)};
    case 1: return {leader_follower_placement(5, 5), WriteConcern::majority, 1, raft(seed, true)};
    default: return {kafka_placement(4, 4, 3, static_cast<int>(seed % 4)), WriteConcern::all, 2, raft(seed, false)};
  }
}

// Kafka's controller on Raft's time scale: broker sessions of 300 ms with
// heartbeats every 50 ms, fetches every 50 ms, a rebalance check every
// second; four or eight partitions on four brokers at acks=all with
// min.insync.replicas 2; every broker but the controller may crash.
Setup kafka_setup_for(std::uint64_t seed)
{
  FailoverConfig config = FailoverConfig::kafka(seed);
  config.heartbeat_interval = 0.050;
  config.replica_lag_max = 0.300;
  config.controller.broker_heartbeat_interval = 0.050;
  config.controller.broker_session_timeout = 0.300;
  config.controller.leader_imbalance_check_interval = 1.0;
  const int partitions = seed % 2 == 0 ? 4 : 8;
  return {kafka_placement(4, partitions, 3, static_cast<int>(seed % 4)), WriteConcern::all, 2, config, false, false};
}

struct Totals {
  std::size_t acknowledged = 0;
  std::size_t elections_won = 0;  // after the start's
  std::size_t crashes = 0;
  std::size_t stepped_down = 0;
  std::size_t discarded = 0;  // log entries compacted away, summed over nodes and units
};

class Schedule {
public:
  Schedule(std::uint64_t seed, Setup setup)
      : setup_(std::move(setup)), c_(setup_.placement, setup_.concern, setup_.failover, setup_.min_insync),
        rng_(derive_seed(20'140'619, seed)), crashed_(nodes(), false), partitioned_(nodes(), false)
  {
  }

  void run(int steps, Totals& totals)
  {
    c_.start();
    for (int i = 0; i < steps && c_.violation().empty(); ++i)
      act();
    heal();
    c_.run_for(3.0, 0.005);
    check_converged();
    totals.acknowledged += c_.acked.size();
    totals.elections_won += c_.events_of(RoleEvent::Kind::became_leader).size() - setup_.placement.unit_count();
    totals.crashes += crashes_;
    totals.stepped_down += c_.events_of(RoleEvent::Kind::stopped_leading).size();
    for (UnitId unit = 0; unit < setup_.placement.unit_count(); ++unit)
      for (NodeId n : setup_.placement.replicas(unit))
        totals.discarded += c_.node(n).log_of(unit).compacted();
  }

private:
  int nodes() const { return setup_.placement.node_count(); }
  std::size_t in_flight() const { return c_.net.in_flight().size(); }

  void act()
  {
    const auto r = rng_.below(1000);
    if (r < 650 && in_flight() > 0)
      deliver_any();  // any message in flight, not the oldest: reordering
    else if (r < 670 && in_flight() > 0)
      drop_any();
    else if (r < 780)
      advance(0.02 * rng_.uniform());
    else if (r < 950)
      write();
    else if (r < 955)
      toggle_crash(true);
    else if (r < 975)
      toggle_crash(false);
    else if (r < 978)
      toggle_partition(true);
    else if (r < 995)
      toggle_partition(false);
    else if (const auto seed = rng_.next(); setup_.lossy)
      c_.net.reorder(seed);
  }

  // What is in flight meanwhile is delayed; without losses, delivered first:
  // messages then take no time against the failure detectors' timeouts.
  void advance(Time by)
  {
    if (!setup_.lossy)
      c_.net.deliver_all();
    c_.net.advance_to(c_.net.now() + by);
  }

  void deliver_any()
  {
    const std::size_t k = rng_.below(in_flight());
    if (!setup_.lossy) {
      c_.net.deliver_one();
      return;
    }
    std::size_t i = 0;
    c_.net.deliver_first([&](const Envelope&) { return i++ == k; });
  }

  // FakeNetwork::drop filters later messages too: this filter matches one
  // message, then nothing.
  void drop_any()
  {
    auto left = std::make_shared<std::size_t>(rng_.below(in_flight()) + 1);
    if (!setup_.lossy)
      return;
    c_.net.drop([left](const Envelope&) { return *left > 0 && --*left == 0; });
    *left = 0;
  }

  void write()
  {
    const Key key = rng_.below(20);
    const UnitId unit = setup_.placement.unit_of(key);
    NodeId to = c_.leader(unit);
    if (to == kNoNode || rng_.below(10) < 2)
      to = static_cast<NodeId>(rng_.below(static_cast<std::uint64_t>(nodes())));
    c_.write(++op_, key, to);
  }

  void toggle_crash(bool crash)
  {
    const auto n = static_cast<NodeId>(rng_.below(static_cast<std::uint64_t>(nodes())));
    auto& down = crashed_[static_cast<std::size_t>(n)];
    if (static_cast<bool>(down) == crash || (crash && !setup_.controller_may_crash && c_.node(n).is_controller()))
      return;
    down = crash;
    if (crash) {
      c_.crash(n);
      ++crashes_;
    } else {
      c_.recover(n);
      if (partitioned_[static_cast<std::size_t>(n)])
        c_.net.isolate(Address::node(n));
    }
  }

  void toggle_partition(bool cut)
  {
    const auto n = static_cast<NodeId>(rng_.below(static_cast<std::uint64_t>(nodes())));
    auto& apart = partitioned_[static_cast<std::size_t>(n)];
    if (!setup_.lossy || static_cast<bool>(apart) == cut || crashed_[static_cast<std::size_t>(n)])
      return;
    apart = cut;
    if (cut)
      c_.net.isolate(Address::node(n));
    else
      c_.net.recover(Address::node(n));
  }

  void heal()
  {
    for (NodeId n = 0; n < nodes(); ++n) {
      if (crashed_[static_cast<std::size_t>(n)])
        c_.recover(n);
      c_.net.recover(Address::node(n));
    }
  }

  void check_converged()
  {
    for (UnitId unit = 0; unit < setup_.placement.unit_count(); ++unit) {
      const NodeId leader = c_.leader(unit);
      ASSERT_NE(leader, kNoNode) << "unit " << unit;
      const auto& log = c_.full_log(leader, unit);  // the compacted prefix included
      EXPECT_EQ(c_.node(leader).commit_index(unit), log.size()) << "unit " << unit;
      for (NodeId n : setup_.placement.replicas(unit)) {
        EXPECT_EQ(c_.node(n).leader_of(unit), leader) << "unit " << unit << " node " << n;
        EXPECT_EQ(c_.full_log(n, unit), log) << "unit " << unit << " node " << n;
        EXPECT_EQ(last_index(c_.node(n).log_of(unit)), log.size()) << "unit " << unit << " node " << n;
      }
    }
    for (const test::Acked& a : c_.acked) {
      const auto& log = c_.full_log(c_.leader(a.unit), a.unit);
      EXPECT_TRUE(std::any_of(log.begin(), log.end(), [&](const LogEntry& e) { return e.op == a.op; }))
          << "acknowledged write " << a.op << " lost";
    }
  }

  Setup setup_;
  ElectionCluster c_;
  Rng rng_;
  std::vector<char> crashed_;
  std::vector<char> partitioned_;
  OpId op_ = 0;
  std::size_t crashes_ = 0;
};

// One hundred seeded schedules (a quarter under the sanitizers), stopping at
// the first that fails, and what they did, recorded in the test's report.
constexpr std::uint64_t kSchedules = test::property_runs(100);

// A total the hundred schedules exceed, for the schedules run.
constexpr std::uint64_t at_least(std::uint64_t for_one_hundred) { return for_one_hundred * kSchedules / 100; }

Totals run_one_hundred(Setup (*setup_of)(std::uint64_t))
{
  Totals totals;
  for (std::uint64_t seed = 1; seed <= kSchedules; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Schedule(seed, setup_of(seed)).run(2000, totals);
    if (::testing::Test::HasFailure())
      break;
  }
  ::testing::Test::RecordProperty("acknowledged", static_cast<int>(totals.acknowledged));
  ::testing::Test::RecordProperty("elections_won", static_cast<int>(totals.elections_won));
  ::testing::Test::RecordProperty("crashes", static_cast<int>(totals.crashes));
  ::testing::Test::RecordProperty("stepped_down", static_cast<int>(totals.stepped_down));
  ::testing::Test::RecordProperty("discarded", static_cast<int>(totals.discarded));
  return totals;
}

// The schedules did what they are for: failovers, under load.
TEST(ElectionPropertyTest, MajorityAcknowledgedWritesSurviveOneHundredRandomSchedules)
{
  const Totals totals = run_one_hundred(setup_for);
  EXPECT_GT(totals.acknowledged, at_least(5000));
  EXPECT_GT(totals.elections_won, at_least(400));
  EXPECT_GT(totals.stepped_down, at_least(100));
  EXPECT_GT(totals.discarded, totals.acknowledged);  // the logs were compacted, across the failovers
}

TEST(ElectionPropertyTest, AcknowledgedWritesSurviveOneHundredRandomSchedulesUnderAKafkaController)
{
  const Totals totals = run_one_hundred(kafka_setup_for);
  EXPECT_GT(totals.acknowledged, at_least(10000));
  EXPECT_GT(totals.elections_won, at_least(500));
  EXPECT_GT(totals.stepped_down, at_least(200));
  EXPECT_GT(totals.discarded, totals.acknowledged);
}

}  // namespace election_property_test
}  // namespace replisim
