// replisim used as a library, as a SimGrid program would: the test owns the
// engine and the platform, puts a store on hosts it chooses, and its own
// actors read and write through blocking calls. Only the installed header
// (include/replisim/replisim.hpp) and SimGrid are used.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <simgrid/s4u.hpp>
#include <xbt/log.h>

#include "replisim/replisim.hpp"

namespace sg4 = simgrid::s4u;

namespace {

// known_latencies.xml: client0–n0 3 ms, n0–n1 5 ms, n0–n2 9 ms one-way.
struct Platform {
  Platform()
  {
    char name[] = "store_test";
#ifdef REPLISIM_SANITIZED
    // Raw contexts switch stacks behind AddressSanitizer's back; threads do not.
    char contexts[] = "--cfg=contexts/factory:thread";
    char* argv[] = {name, contexts, nullptr};
    int argc = 2;
#else
    char* argv[] = {name, nullptr};
    int argc = 1;
#endif
    engine = std::make_unique<sg4::Engine>(&argc, argv);
    xbt_log_control_set("root.thres:critical");
    engine->set_config("network/model:CM02");
    engine->load_platform(REPLISIM_TEST_DATA "/known_latencies.xml");
  }
  std::vector<sg4::Host*> nodes() const
  {
    return {engine->host_by_name("n0"), engine->host_by_name("n1"), engine->host_by_name("n2")};
  }
  std::unique_ptr<sg4::Engine> engine;
};

TEST(Store, AWriteFromTheCallersActorTakesThePathSum)
{
  Platform p;
  replisim::Store store(p.nodes(), {{"model", "leader-follower"}, {"rf", "3"}, {"write-concern", "majority"}});
  std::vector<replisim::OpResult> writes, reads;
  sg4::Actor::create("app", p.engine->host_by_name("client0"), [&] {
    replisim::StoreClient& client = store.client(sg4::this_actor::get_host());
    for (std::uint64_t k = 0; k < 5; ++k)
      writes.push_back(client.write(k));
    for (std::uint64_t k = 0; k < 5; ++k)
      reads.push_back(client.read(k));
  });
  p.engine->run();
  ASSERT_EQ(writes.size(), 5u);
  for (const auto& w : writes) {
    EXPECT_EQ(w.outcome, replisim::OpOutcome::ok);
    EXPECT_NEAR(w.latency_s * 1e3, 2 * 3 + 2 * 5, 0.005);  // client↔n0, then n0↔n1 (the nearer secondary)
    EXPECT_EQ(w.version, 1u);
    EXPECT_EQ(w.node, 0);
  }
  for (const auto& r : reads) {
    EXPECT_NEAR(r.latency_s * 1e3, 2 * 3, 0.005);  // the primary
    EXPECT_EQ(r.version, 1u);
  }
  const replisim::Report report = store.report();
  EXPECT_EQ(report.writes_ok, 5u);
  EXPECT_EQ(report.reads_ok, 5u);
  ASSERT_EQ(report.nodes.size(), 3u);
  EXPECT_EQ(report.nodes[0].host, "n0");
  EXPECT_EQ(report.nodes[0].leader_units, 1);
  EXPECT_EQ(report.nodes[1].follower_units, 1);
  EXPECT_NE(report.summary_csv.find("leader-follower"), std::string::npos);
}

TEST(Store, SeveralActorsShareAClientAndEachWaitsForItsOwnReply)
{
  Platform p;
  replisim::Store store(p.nodes(), {{"model", "leader-follower"}, {"write-concern", "1"}});
  int done = 0;
  for (int a = 0; a < 4; ++a)
    sg4::Actor::create("app", p.engine->host_by_name("client0"), [&store, &done, a] {
      const auto w = store.client(sg4::this_actor::get_host()).write(static_cast<std::uint64_t>(a));
      EXPECT_NEAR(w.latency_s * 1e3, 6, 0.005);
      ++done;
    });
  p.engine->run();
  EXPECT_EQ(done, 4);
  EXPECT_EQ(store.report().writes_ok, 4u);
}

TEST(Store, AnUnansweredCallTimesOut)
{
  Platform p;
  p.engine->host_by_name("n0")->turn_off();  // the primary: nobody answers
  replisim::Store store(p.nodes(), {{"timeout", "50ms"}});
  replisim::OpResult w;
  sg4::Actor::create("app", p.engine->host_by_name("client0"),
                     [&] { w = store.client(sg4::this_actor::get_host()).write(1); });
  p.engine->run();
  EXPECT_EQ(w.outcome, replisim::OpOutcome::timeout);
  EXPECT_NEAR(w.latency_s, 0.05, 1e-9);
}

TEST(Store, BadSettingsThrowOneLine)
{
  Platform p;
  try {
    replisim::Store store(p.nodes(), {{"model", "paxos"}});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--model: unknown model 'paxos'"), std::string::npos) << e.what();
  }
}

// A deployment file read by the engine itself: replisim-node and
// replisim-client are functions the engine knows once registered.
TEST(Store, LoadDeploymentPlacesNodesAndRunsTheClientsWorkload)
{
  Platform p;
  const auto path = std::filesystem::temp_directory_path() / ("replisim-store-test-" + std::to_string(getpid()) + ".xml");
  std::ofstream(path) << R"(<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<platform version="4.1">
  <actor host="n0" function="replisim-node"><prop id="model" value="chain"/></actor>
  <actor host="n1" function="replisim-node"/>
  <actor host="n2" function="replisim-node"/>
  <actor host="client0" function="replisim-client"/>
</platform>
)";
  replisim::register_actors(*p.engine, {{"ops", "40"}, {"units", "1"}});
  p.engine->load_deployment(path.string());
  std::filesystem::remove(path);
  EXPECT_EQ(replisim::deployed_store(), nullptr);  // built when the actors start
  p.engine->run();
  replisim::Store* store = replisim::deployed_store();
  ASSERT_NE(store, nullptr);
  const replisim::Report report = store->report();
  EXPECT_EQ(report.writes_ok, 40u);
  EXPECT_EQ(report.leader_is_primary_fraction, 0.0);  // the head leads, the tail is the primary
  EXPECT_EQ(report.nodes[0].leader_units, 1);   // head n0
  EXPECT_EQ(report.nodes[2].primary_units, 1);  // tail n2
  // client0 → n0 → n1 → n2 → client0: 3 + (2 + 3) + (3 + 7) + 8 ms.
  EXPECT_NEAR(report.write_p50_ms, 26, 0.005);
}

}  // namespace
