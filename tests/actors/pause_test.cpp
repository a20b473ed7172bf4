// A paused node, in the runtime, whatever its protocol: it handles no
// message and no timer while the pause lasts and loses nothing; at resume
// each timer that fell due fires once (a periodic one does not fire once per
// missed period) and what arrived meanwhile is handled in the order it fell
// due. Two made-up machines on tests/data/known_latencies.xml: node n0 ticks
// every 10 ms and keeps a diary; node n1 sends it numbered messages, which
// take 5 ms (n1-link 3 ms + n0-link 2 ms).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>
#include <simgrid/s4u/Engine.hpp>

#include "actors/cluster.hpp"
#include "actors/engine_setup.hpp"
#include "experiments/core/experiment.hpp"
#include "experiments/core/report.hpp"
#include "support/fault_file.hpp"

namespace replisim {
namespace pause_test {

constexpr TimerId kTick = 1;
constexpr TimerId kOnce = 2;

std::string at_ms(Time now) { return fmt::format("{:.1f}", now * 1e3); }

// Ticks every 10 ms, re-armed from the time the tick fires (as every
// replisim protocol re-arms its heartbeat), until 100 ms; one timer at 50 ms.
class Diarist final : public NodeMachine {
public:
  Ready start(Time now) override
  {
    Ready out;
    out.set_timer(kTick, now + 0.010);
    out.set_timer(kOnce, 0.050);
    return out;
  }
  Ready step(const Envelope& in, Time now) override
  {
    diary.push_back(at_ms(now) + " message " + std::to_string(std::get<ClientRead>(in.message).op));
    return {};
  }
  Ready on_timer(TimerId id, Time now) override
  {
    Ready out;
    if (id == kOnce) {
      diary.push_back(at_ms(now) + " once");
      return out;
    }
    diary.push_back(at_ms(now) + " tick");
    if (now < 0.100)
      out.set_timer(kTick, now + 0.010);
    return out;
  }
  const NodeCounters& counters() const override { return counters_; }
  std::vector<std::string> diary;

private:
  NodeCounters counters_;
};

// Sends message k to node 0 at 30.5 + 3k ms, k = 1..10, and message 11 at 75.5 ms.
class Sender final : public NodeMachine {
public:
  Ready start(Time) override
  {
    Ready out;
    out.set_timer(1, 0.0335);
    return out;
  }
  Ready step(const Envelope&, Time) override { return {}; }
  Ready on_timer(TimerId id, Time) override
  {
    Ready out;
    out.send(Address::node(1), Address::node(0), ClientRead{id, 0});
    if (id < 10)
      out.set_timer(id + 1, 0.0305 + 0.003 * static_cast<double>(id + 1));
    else if (id == 10)
      out.set_timer(11, 0.0755);
    return out;
  }
  const NodeCounters& counters() const override { return counters_; }

private:
  NodeCounters counters_;
};

TEST(Pause, AMissedTimerFiresOnceAtResumeAndMessagesKeepTheirOrder)
{
  auto engine = create_engine({});
  const PlatformHosts hosts = load_platform(*engine, std::string(REPLISIM_TEST_DATA) + "/known_latencies.xml");
  Cluster cluster({NodeHost(hosts.nodes.at(0)), NodeHost(hosts.nodes.at(1))}, {ClientHost(hosts.clients.at(0))},
                  MessageSizes{});
  Diarist diarist;
  Sender sender;
  std::vector<Traffic> traffic(2);
  const ServerSettings settings;
  cluster.add_node(0, diarist, traffic[0], settings, 1);
  cluster.add_node(1, sender, traffic[1], settings, 2);
  cluster.keep_running_after_clients();
  FaultPlan plan;
  FaultPlan::NodePause pause;
  pause.node = 0;
  pause.at = 0.032;
  pause.resume = 0.075;
  plan.pauses.push_back(pause);
  cluster.schedule_faults(plan, [] { return kNoNode; });
  cluster.start();
  engine->run();

  // Paused from 32 to 75 ms: the ticks of 40, 50, 60 and 70 ms become one
  // tick at 75 ms; the timer of 50 ms fires once at 75 ms; messages 1 to 10
  // (arrived at 38.5 to 65.5 ms) are handled at 75 ms, each in its place
  // among the timers; then the tick runs from 75 ms.
  const std::vector<std::string> expected = {
      "10.0 tick",       "20.0 tick",       "30.0 tick",       "75.0 message 1", "75.0 tick",
      "75.0 message 2",  "75.0 message 3",  "75.0 message 4",  "75.0 once",      "75.0 message 5",
      "75.0 message 6",  "75.0 message 7",  "75.0 message 8",  "75.0 message 9", "75.0 message 10",
      "80.5 message 11", "85.0 tick",       "95.0 tick",       "105.0 tick"};
  EXPECT_EQ(diarist.diary, expected);
  EXPECT_EQ(traffic[0].msgs_received, 11u);
  EXPECT_EQ(cluster.load_of(0).handled, 11u);
  EXPECT_EQ(cluster.load_of(0).max_queue_length, 10u);  // all ten waited in the inbox
}

// A run on known_latencies.xml: one replica set {n0 (leader), n1, n2},
// client0 → n0 3 ms, n0 → n1 5 ms, n0 → n2 9 ms, n1 → n2 10 ms (one way),
// Raft elections, w:majority.
RunConfig replica_set(const test::FaultFile& faults)
{
  RunConfig c;
  c.platform = REPLISIM_TEST_DATA "/known_latencies.xml";
  c.rf = 3;
  c.clients = 1;
  c.faults = faults.path.string();
  c.check_invariants = true;
  c.set("write-concern", "majority").set("failover", "raft");
  return c;
}

struct Op {
  double start_ms;
  double end_ms;
  std::string outcome;
};

std::vector<Op> read_ops(const std::filesystem::path& dir)
{
  std::ifstream in(dir / "ops.csv");
  std::string line;
  std::getline(in, line);
  std::vector<Op> ops;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream s(line);
    for (std::string cell; std::getline(s, cell, ',');)
      f.push_back(cell);
    ops.push_back({std::stod(f.at(7)), std::stod(f.at(8)), f.at(11)});
  }
  return ops;
}

// The leader pauses from 300 to 350 ms, well within the election timeout
// (1-2 s): no election, no write lost, and every write that reached it
// meanwhile is handled at resume. A write reaches n0 3 ms after it starts
// and commits when n1's acknowledgement is back 10 ms later; the client hears
// 3 ms after that. So a write that reached n0 during the pause ends at
// exactly 350 + 10 + 3 = 363 ms, one whose acknowledgement from n1 arrived
// during the pause at 350 + 3 = 353 ms, and every other takes 16 ms.
TEST(Pause, ALeaderPausedBrieflyLosesNothingAndHandlesItsQueueAtResume)
{
  test::FaultFile faults("[[pause]]\nnode = 0\nat = \"300ms\"\nresume = \"350ms\"\n");
  RunConfig c = replica_set(faults);
  c.rate = 400;
  c.ops = 240;
  c.set("election-timeout", "1s:2s");
  c.out = (std::filesystem::temp_directory_path() / ("replisim-pause-" + std::to_string(getpid()))).string();
  Experiment e(c);
  std::uint64_t lost = 0;
  e.cluster().network().on_loss([&](const Envelope&) { ++lost; });
  e.run();
  const std::vector<Op> ops = read_ops(c.out);
  std::filesystem::remove_all(c.out);
  ASSERT_EQ(ops.size(), 240u);
  int queued = 0, acked_in_pause = 0;
  for (const Op& op : ops) {
    EXPECT_EQ(op.outcome, "ok");
    const double reached = op.start_ms + 3;
    if (reached >= 300 && reached < 350) {
      ++queued;
      EXPECT_NEAR(op.end_ms, 363, 0.005) << op.start_ms;
    } else if (reached < 300 && reached + 10 >= 300) {
      ++acked_in_pause;
      EXPECT_NEAR(op.end_ms, 353, 0.005) << op.start_ms;
    } else {
      EXPECT_NEAR(op.end_ms - op.start_ms, 16, 0.005) << op.start_ms;
    }
  }
  EXPECT_GT(queued, 5);  // 400 writes/s: about 20
  EXPECT_GT(acked_in_pause, 0);
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(e.datastore().traffic()[0].msgs_received, e.cluster().load_of(0).handled);
  EXPECT_EQ(summary_value(e.summary(), "elections"), "0");
  // Its unit had no leader that answers for the pause.
  EXPECT_EQ(summary_value(e.summary(), "outages"), "1");
  EXPECT_NEAR(std::stod(summary_value(e.summary(), "unavailability_max_ms")), 50, 1e-6);
}

// The leader pauses for a second, longer than any election timeout (100 to
// 200 ms, heartbeats every 20 ms): a follower stands and wins, and the unit
// has a leader again after the timeout. The last heartbeat left n0 at most
// 20 ms before the pause and reaches n1 5 ms and n2 9 ms later; the winner
// times out 100 to 200 ms after that and needs the other's vote, a 10 ms leg
// each way: from the pause to the new leader is between 100 - 20 + 5 + 20 =
// 105 ms and 200 + 9 + 20 = 229 ms (one election: this seed splits no vote).
// Nothing sent to n0 is lost: it handles all of it after the pause, and
// steps down.
TEST(Pause, ALeaderPausedPastTheElectionTimeoutIsReplaced)
{
  test::FaultFile faults("[[pause]]\nnode = \"most-leaders\"\nat = \"1s\"\nresume = \"2s\"\n");
  RunConfig c = replica_set(faults);
  c.rate = 50;
  c.ops = 150;
  c.timeout = "100ms";
  c.retries = 5;
  c.retry_backoff = "20ms";
  c.set("election-timeout", "100ms:200ms").set("heartbeat", "20ms");
  Experiment e(c);
  std::uint64_t lost = 0;
  e.cluster().network().on_loss([&](const Envelope&) { ++lost; });
  e.run();
  const auto& outages = e.datastore().leadership().outages();
  ASSERT_EQ(outages.size(), 1u);
  EXPECT_EQ(summary_value(e.summary(), "split_votes"), "0");
  EXPECT_DOUBLE_EQ(outages[0].from, 1.0);
  EXPECT_EQ(outages[0].leader_before, 0);
  EXPECT_NE(outages[0].leader_after, 0);
  const double replaced_ms = (outages[0].until - outages[0].from) * 1e3;
  EXPECT_GE(replaced_ms, 105);
  EXPECT_LE(replaced_ms, 229);
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(e.datastore().traffic()[0].msgs_received, e.cluster().load_of(0).handled);
  EXPECT_EQ(e.model().roles().leaders.at(0), std::vector<NodeId>{outages[0].leader_after});
  EXPECT_EQ(summary_value(e.summary(), "acked_writes_lost"), "0");
}

}  // namespace pause_test
}  // namespace replisim
