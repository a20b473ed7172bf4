// A SimGrid simulation of its own that puts a replicated datastore next to
// its actors: Kafka-style partitioned leaders on six hosts of its platform,
// whose nodes do work (a processing cost per message), an application actor
// writing through replisim's blocking client, and a backup job of its own
// that compresses data on db0 and so competes with the datastore for db0's
// core. It prints the write latency the application saw with the backup idle
// and while it runs, and the role each host held.
#include <cstdio>
#include <vector>

#include <replisim/replisim.hpp>
#include <simgrid/s4u.hpp>
#include <xbt/log.h>

namespace sg4 = simgrid::s4u;

int main(int argc, char** argv)
{
  // replisim needs the network model whose latencies are the XML's (CM02).
  sg4::Engine engine(&argc, argv);
  xbt_log_control_set("xbt_cfg.thres:warning");
  engine.set_config("network/model:CM02");
  engine.load_platform(argc > 1 ? argv[1] : "platform.xml");

  std::vector<sg4::Host*> nodes;
  for (const char* name : {"db0", "db1", "db2", "db3", "db4", "db5"})
    nodes.push_back(engine.host_by_name(name));
  replisim::Store store(nodes, {{"model", "partitioned"}, {"units", "12"}, {"rf", "3"}, {"acks", "all"},
                                {"service", "client=const:0.5ms write=const:0.2ms ack=const:0.05ms"}});

  // The application: 200 writes while the backup is idle, 200 while it runs.
  double quiet_ms = 0, busy_ms = 0;
  sg4::Actor::create("application", engine.host_by_name("app"), [&] {
    replisim::StoreClient& client = store.client(sg4::this_actor::get_host());
    for (int i = 0; i < 400; ++i) {
      const replisim::OpResult w = client.write(static_cast<std::uint64_t>(i % 50));
      (i < 200 ? quiet_ms : busy_ms) += w.latency_s * 1e3 / 200;
      if (i == 199)
        sg4::Mailbox::by_name("backup")->put(new int(0), 0);  // start the backup
    }
  });
  // The backup job: compressing on db0 for 10 s of its core, shared with db0's
  // replisim node (SimGrid's processor sharing).
  sg4::Actor::create("backup", engine.host_by_name("db0"), [] {
    delete sg4::Mailbox::by_name("backup")->get<int>();
    sg4::this_actor::execute(1e10);
  });
  engine.run();

  const replisim::Report report = store.report();
  std::printf("writes ok: %llu, p50 %.3f ms, p99 %.3f ms\n", static_cast<unsigned long long>(report.writes_ok),
              report.write_p50_ms, report.write_p99_ms);
  std::printf("mean write latency: %.3f ms with the backup idle, %.3f ms while it runs\n", quiet_ms, busy_ms);
  for (const replisim::NodeReport& n : report.nodes)
    std::printf("%s: leader of %d units, follower of %d, led %llu writes\n", n.host.c_str(), n.leader_units,
                n.follower_units, static_cast<unsigned long long>(n.writes_led));
  return 0;
}
