#include "experiments/cli.hpp"

namespace replisim {

void add_platform_flags(CLI::App& app, RunConfig& c)
{
  app.add_option("--nodes", c.nodes, "Datastore nodes (generated star; with --platform, use the first N)")
      ->each([&c](const std::string&) { c.nodes_given = true; });
  app.add_option("--clients", c.clients, "Clients (generated star: one host each)");
  app.add_option("--latency", c.latency, "One-way latency of each host's link to the star's centre (e.g. 5ms, 250us)");
  app.add_option("--bandwidth", c.bandwidth, "Bandwidth of each host's link (e.g. 1Gbps, 125MBps)");
  app.add_option("--host-speed", c.host_speed, "Speed of each host of the star (e.g. 1Gf, 2.5Gf)");
  app.add_option("--cores", c.cores, "Cores of each host of the star");
  app.add_option("--disk-read-bw", c.disk_read_bw, "Read bandwidth of each node's disk on the star (e.g. 500MBps)");
  app.add_option("--disk-write-bw", c.disk_write_bw, "Write bandwidth of each node's disk on the star (e.g. 200MBps)");
}

void add_run_flags(CLI::App& app, RunConfig& c)
{
  add_platform_flags(app, c);
  app.add_option("--platform", c.platform,
                 "SimGrid platform XML (DTD 4.1). Hosts with property role=node|client are nodes|clients; "
                 "without any role property, hosts named client* are clients and the rest nodes");
  app.add_option("--model", c.model, "Replication model: leader-follower (MongoDB) or partitioned (Kafka)");
  app.add_option("--rf", c.rf_text,
                 "Replication factor: replicas per unit (leaderless network-topology: one number for every zone, "
                 "or zone:rf,... e.g. us-east:3,eu-west:2)");
  app.add_option("--units", c.units, "partitioned: partitions (default: one per node)")
      ->each([&c](const std::string&) { c.units_given = true; });
  app.add_option("--start-index", c.start_index,
                 "partitioned: Kafka's start index and replica shift, in [0, nodes) (default: drawn from --seed)");
  app.add_option("--write-concern", c.write_concern,
                 "leader-follower: replicas holding a write before it is acknowledged: 1, majority, all (MongoDB's w)");
  app.add_option("--acks", c.acks, "partitioned: 1 (leader only) or all (every in-sync replica), Kafka's acks");
  app.add_option("--min-insync", c.min_insync,
                 "partitioned: with --acks all, refuse writes when fewer replicas are in sync (min.insync.replicas)");
  app.add_option("--vnodes", c.vnodes, "leaderless: tokens per node on the ring (Cassandra's num_tokens)");
  app.add_option("--strategy", c.strategy, "leaderless: replica placement, simple or network-topology (rf per zone)");
  app.add_option("--coordinator", c.coordinator,
                 "leaderless: coordinator per operation, random (any node), token-aware (a replica of the key) or "
                 "local (a node of the client's zone)");
  app.add_option("--consistency", c.consistency,
                 "leaderless: write level ONE, TWO, THREE, QUORUM, LOCAL_QUORUM, EACH_QUORUM or ALL");
  app.add_option("--read-consistency", c.read_consistency, "leaderless: read level, as --consistency");
  app.add_flag("--read-repair", c.read_repair, "leaderless: push the newest version read to replicas that answered older");
  app.add_option("--delay", c.delays,
                 "Extra delay per message, KIND=DIST, repeatable. KIND: write, ack, read, response, client, all. "
                 "DIST: const:2ms, uniform:1ms:5ms, exp:1ms, lognormal:MU:SIGMA, pareto:XM:ALPHA, mix:0.9*DIST+0.1*DIST")
      ->allow_extra_args(false);
  app.add_option("--service", c.services,
                 "Processing cost per message at the node that handles it, KIND=DIST, repeatable (KIND and DIST as "
                 "--delay; client: a client request at the node that takes it). DIST is the time on a 1 Gflop/s host")
      ->allow_extra_args(false);
  app.add_option("--threads", c.threads, "Worker threads per node (a host property threads=N overrides it)");
  app.add_flag("--sync-writes", c.sync_writes,
               "Write every value to the node's disk before acknowledging it (MongoDB j:true, Cassandra "
               "commitlog_sync: batch, Kafka flush.messages=1); needs a <disk> on every node host");
  app.add_option("--down", c.down, "Node hosts turned off for the whole run (comma-separated host names)")->delimiter(',');
  app.add_option("--latency-scale", c.latency_scale, "Multiply every link latency of the platform by this factor");
  app.add_option("--leaders-per-zone,--leaders", c.leaders_per_zone,
                 "multi-leader: leaders in each zone (--leaders on a generated star, which is one zone)");
  app.add_option("--leader-choice", c.leader_choice, "multi-leader: clients write to the nearest leader or a random one");
  app.add_option("--replication-interval", c.replication_interval,
                 "multi-leader: ship writes to the other leaders in batches this often (0: each write at once)");
  app.add_option("--read-from", c.read_from,
                 "Where reads go: primary (or leader), secondary (or follower), nearest");
  app.add_option("--ops", c.ops, "Client operations in all");
  app.add_option("--read-ratio", c.read_ratio, "Fraction of operations that are reads");
  app.add_option("--keys", c.keys, "Distinct keys");
  app.add_option("--key-dist", c.key_dist, "Key popularity: uniform or zipfian (YCSB, constant 0.99)");
  app.add_option("--concurrency", c.concurrency, "Closed loop: operations each client keeps outstanding");
  app.add_option("--rate", c.rate, "Open loop: Poisson arrivals, mean operations per second per client (0: closed loop)");
  app.add_option("--value-bytes", c.value_bytes, "Size of a value; sets the simulated size of messages that carry one");
  app.add_option("--timeout", c.timeout, "Client timeout per operation (e.g. 2000ms)");
  app.add_option("--seed", c.seed, "Seed for every random draw of the run");
  app.add_option("--out", c.out, "Directory for ops.csv, roles.csv, summary.csv");
  app.add_option("--roles-dot", c.roles_dot, "Also write the unit-node role graph as Graphviz DOT to this file");
}

}  // namespace replisim
