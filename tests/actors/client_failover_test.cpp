// Clients through a failover, --retries not given: the preset's drivers find
// the new leader (protocols/client/leader_view.hpp), so writes sent after
// the crash reach it. Before, a client kept sending every write to the dead
// leader: on the replica set below, 0 of the ~2,000 writes after the crash
// succeeded. Every run checks the invariants.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <unistd.h>

#include "experiments/core/experiment.hpp"
#include "support/fault_file.hpp"

namespace replisim {
namespace client_failover_test {

namespace fs = std::filesystem;
using test::FaultFile;

// How the writes started at or after `from_ms` ended, from ops.csv: outcome → count.
struct Outcomes {
  std::map<std::string, int> count;
  double max_latency_ms = 0;
};

Outcomes writes_started_after(RunConfig c, double from_ms)
{
  c.out = (fs::temp_directory_path() / ("replisim-client-failover-" + std::to_string(getpid()))).string();
  Experiment e(c);
  e.run();
  std::ifstream ops(fs::path(c.out) / "ops.csv");
  std::string line;
  std::getline(ops, line);
  std::map<std::string, std::size_t> column;
  {
    std::stringstream header(line);
    std::size_t i = 0;
    for (std::string name; std::getline(header, name, ',');)
      column[name] = i++;
  }
  Outcomes o;
  while (std::getline(ops, line)) {
    std::vector<std::string> f;
    std::stringstream s(line);
    for (std::string cell; std::getline(s, cell, ',');)
      f.push_back(cell);
    if (f.at(column.at("kind")) != "write" || std::stod(f.at(column.at("start_ms"))) < from_ms)
      continue;
    ++o.count[f.at(column.at("outcome"))];
    o.max_latency_ms = std::max(o.max_latency_ms, std::stod(f.at(column.at("latency_ms"))));
  }
  fs::remove_all(c.out);
  return o;
}

// A replica set of three whose primary crashes at 10 s for good;
// one client writes 40 times a second for 60 s.
RunConfig replica_set(const FaultFile& faults, const std::string& preset)
{
  RunConfig c;
  c.nodes = 3;
  c.rf = 3;
  c.clients = 1;
  c.rate = 40;
  c.ops = 2400;
  c.latency = "5ms";
  c.faults = faults.path.string();
  c.check_invariants = true;
  c.set("failover", preset);
  return c;
}

// MongoDB's drivers: the write in flight at the crash times out and is
// retried once (retryWrites); the writes after it wait for a primary
// (serverSelectionTimeoutMS 30 s), found by checking the members every
// 500 ms, and the new one takes them all ~10–12 s later.
TEST(ClientFailover, MongoDBDriversReachTheNewPrimaryWithoutRetriesGiven)
{
  FaultFile faults("[[crash]]\nnode = \"most-leaders\"\nat = \"10s\"\n");
  const Outcomes after = writes_started_after(replica_set(faults, "mongodb"), 10'000);
  EXPECT_EQ(after.count.count("timeout") + after.count.count("failed"), 0u)
      << "none waited 30 s for a primary; today's client: 0 of the writes after 10 s succeeded";
  EXPECT_GT(after.count.at("ok"), 1950);
  EXPECT_LT(after.max_latency_ms, 12'500.0) << "the election, ~10–12 s, and a check";
}

// A Raft client: it learns of the crash only when a write times out (2 s,
// --timeout), so the writes sent in those 2 s are lost to it (no retries);
// then it checks the replicas and every later write reaches the leader
// elected within 150–300 ms. Before, every write after the crash timed out.
TEST(ClientFailover, ARaftClientReachesTheNewLeaderWithoutRetriesGiven)
{
  FaultFile faults("[[crash]]\nnode = \"most-leaders\"\nat = \"10s\"\n");
  const Outcomes after = writes_started_after(replica_set(faults, "raft"), 12'100);
  EXPECT_EQ(after.count.count("timeout") + after.count.count("failed"), 0u);
  EXPECT_GT(after.count.at("ok"), 1800);
  EXPECT_LT(after.max_latency_ms, 300.0);
}

// Kafka's producer: retries within delivery.timeout.ms (120 s), metadata
// refreshed on a timeout; the controller moves the partition after its
// 9 s session timeout, and every write still reaches a leader.
TEST(ClientFailover, AKafkaProducerReachesTheNewLeaderWithoutRetriesGiven)
{
  FaultFile faults("[[crash]]\nnode = \"most-leaders\"\nat = \"10s\"\n");
  RunConfig c = replica_set(faults, "kafka");
  c.model = "partitioned";
  c.set("units", "1").set("acks", "all");
  Experiment e(c);
  e.run();
  const OpMetrics& m = e.metrics();
  EXPECT_EQ(m.writes_ok + m.writes_failed + m.writes_timed_out, 2400u);
  EXPECT_EQ(m.writes_failed + m.writes_timed_out, 0u) << "each is retried until a leader takes it";
  EXPECT_LT(m.write_ms.max(), 12'000.0) << "fenced 9 s after the last heartbeat, then a check";
}

// Without --failover nothing changes: the client has no view to keep.
TEST(ClientFailover, WithoutFailoverWritesToTheCrashedPrimaryTimeOutAsBefore)
{
  FaultFile faults("[[crash]]\nnode = \"most-leaders\"\nat = \"10s\"\n");
  RunConfig c = replica_set(faults, "none");
  c.ops = 800;
  Experiment e(c);
  e.run();
  const OpMetrics& m = e.metrics();
  EXPECT_EQ(m.writes_ok + m.writes_timed_out, 800u);
  EXPECT_GT(m.writes_timed_out, 350u) << "every write after 10 s goes to node 0";
}

}  // namespace client_failover_test
}  // namespace replisim
