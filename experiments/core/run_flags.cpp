#include "experiments/core/run_flags.hpp"

#include <cerrno>
#include <cstdlib>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "experiments/core/models/registry.hpp"

namespace replisim {

const CLI::Validator& unsigned_number()
{
  // CLI11 would wrap "-5" round to 2^64 - 5 in an unsigned flag.
  static const CLI::Validator check(
      [](std::string& text) -> std::string {
        const auto first = text.find_first_not_of(" \t");
        if (first != std::string::npos && text[first] == '-')
          return "'" + text + "' is negative";
        // CLI11 would saturate a number past 2^64 - 1 silently.
        errno = 0;
        char* end = nullptr;
        std::strtoull(text.c_str(), &end, 0);
        if (errno == ERANGE)
          return "'" + text + "' is more than 18446744073709551615";
        return "";
      },
      "UINT");
  return check;
}

void add_platform_flags(CLI::App& app, RunConfig& c)
{
  app.add_option("--nodes", c.nodes, "Datastore nodes (generated star; with --platform, use the first N)")
      ->each([&c](const std::string&) { c.nodes_given = true; });
  app.add_option("--clients", c.clients,
                 "Clients (generated star: one host each; with --deployment: one per replisim-client actor)")
      ->each([&c](const std::string&) { c.clients_given = true; });
  app.add_option("--latency", c.latency, "One-way latency of each host's link to the star's centre (e.g. 5ms, 250us)");
  app.add_option("--bandwidth", c.bandwidth, "Bandwidth of each host's link (e.g. 1Gbps, 125MBps)");
  app.add_option("--host-speed", c.host_speed, "Speed of each host of the star (e.g. 1Gf, 2.5Gf)");
  app.add_option("--cores", c.cores, "Cores of each host of the star");
  app.add_option("--disk-read-bw", c.disk_read_bw, "Read bandwidth of each node's disk on the star (e.g. 500MBps)");
  app.add_option("--disk-write-bw", c.disk_write_bw, "Write bandwidth of each node's disk on the star (e.g. 200MBps)");
}

namespace {

// --model's help: every registered model and what it stands for.
std::string model_help()
{
  std::vector<std::string> names;
  for (const ModelSpec& m : models().all())
    names.push_back(fmt::format("{} ({})", m.name, m.stands_for));
  return fmt::format("Replication model: {}", fmt::join(names, "; "));
}

// A model flag's help: "partitioned: ..." or "leader-follower, multi-leader:
// ..." when the models using it say the same, each its own otherwise.
std::string param_help(const ModelRegistry::SharedParam& p)
{
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < p.uses.size(); ++i) {
    std::vector<std::string> who = {p.uses[i].first};
    while (i + 1 < p.uses.size() && p.uses[i + 1].second == p.uses[i].second)
      who.push_back(p.uses[++i].first);
    parts.push_back(fmt::format("{}: {}", fmt::join(who, ", "), p.uses[i].second));
  }
  std::string help = fmt::format("{}", fmt::join(parts, "; "));
  if (!p.spec.default_value.empty() && p.spec.type != ParamType::flag)
    help += fmt::format(" (default {})", p.spec.default_value);
  return help;
}

const char* type_name(const ParamSpec& spec)
{
  switch (spec.type) {
  case ParamType::integer: return "INT";
  case ParamType::number: return "FLOAT";
  case ParamType::duration: return "DURATION";
  default: return "TEXT";
  }
}

// Every model's flags, each once; a model ignores the others' (so that one
// sweep spec can set them all).
void add_model_flags(CLI::App& app, RunConfig& c)
{
  for (const ModelRegistry::SharedParam& p : models().params()) {
    std::string names = "--" + p.spec.name;
    for (const std::string& alias : p.spec.aliases)
      names += ",--" + alias;
    const std::string name = p.spec.name;
    if (p.spec.type == ParamType::flag)
      app.add_flag_callback(names, [&c, name] { c.model_args[name] = "1"; }, param_help(p));
    else
      app.add_option_function<std::string>(names, [&c, name](const std::string& v) { c.model_args[name] = v; },
                                           param_help(p))
          ->type_name(type_name(p.spec));
  }
}

}  // namespace

void add_run_flags(CLI::App& app, RunConfig& c)
{
  add_platform_flags(app, c);
  app.add_option("--platform", c.platform,
                 "SimGrid platform XML (DTD 4.1). Hosts with property role=node|client are nodes|clients; "
                 "without any role property, hosts named client* are clients and the rest nodes");
  app.add_option("--deployment", c.deployment,
                 "SimGrid deployment file (needs --platform): actors replisim-node and replisim-client say which "
                 "hosts run nodes (in file order) and clients; props zone and threads per actor, and any run flag "
                 "as a prop of the nodes (the command line wins)");
  app.add_option("--model", c.model, model_help());
  app.add_option("--rf", c.rf_text,
                 "Replication factor: replicas per unit (leaderless network-topology: one number for every zone, "
                 "or zone:rf,... e.g. us-east:3,eu-west:2)");
  add_model_flags(app, c);
  app.add_option("--delay", c.delays,
                 "Extra delay per message, KIND=DIST, repeatable (or several separated by spaces). KIND: write, ack, "
                 "read, response, client, all. DIST: const:2ms, uniform:1ms:5ms, exp:1ms, lognormal:MU:SIGMA, "
                 "pareto:XM:ALPHA, mix:0.9*DIST+0.1*DIST")
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
  app.add_option("--ops", c.ops, "Client operations in all")->check(unsigned_number());
  app.add_option("--read-ratio", c.read_ratio, "Fraction of operations that are reads");
  app.add_option("--keys", c.keys, "Distinct keys")->check(unsigned_number());
  app.add_option("--key-dist", c.key_dist, "Key popularity: uniform or zipfian (YCSB, constant 0.99)");
  app.add_option("--concurrency", c.concurrency, "Closed loop: operations each client keeps outstanding");
  app.add_option("--rate", c.rate, "Open loop: Poisson arrivals, mean operations per second per client (0: closed loop)");
  app.add_option("--value-bytes", c.value_bytes, "Size of a value; sets the simulated size of messages that carry one")->check(unsigned_number());
  app.add_option("--timeout", c.timeout, "Client timeout per attempt of an operation (e.g. 2000ms)");
  app.add_option("--retries", c.retries,
                 "Attempts after the first for an operation that timed out or was refused (default 0; with --failover, "
                 "the preset's drivers': mongodb 1, retryWrites; kafka as many as --delivery-timeout allows; raft 0)");
  app.add_option("--retry-backoff", c.retry_backoff,
                 "Wait before the first retry; each later retry waits twice as long (default 100ms)");
  app.add_option("--retry-backoff-max", c.retry_backoff_max,
                 "The longest wait before a retry: the doubling stops there (default 1s, as Kafka's "
                 "retry.backoff.max.ms)");
  app.add_option("--seed", c.seed, "Seed for every random draw of the run")->check(unsigned_number());
  app.add_option("--out", c.out, "Directory for ops.csv, roles.csv, visibility.csv and summary.csv");
  app.add_option("--roles-dot", c.roles_dot, "Also write the unit-node role graph as Graphviz DOT to this file");
  app.add_option("--ops-file", c.ops_file,
                 "The per-operation file: csv (ops.csv), gz (ops.csv.gz, compressed) or none (left out; every summary "
                 "figure stays exact)")
      ->check(CLI::IsMember({"csv", "gz", "none"}));
  app.add_option("--faults", c.faults,
                 "Fault schedule (TOML): [[crash]] host/node, at, recover; [[link]] link, down, up; "
                 "[[partition]] sides, from, until");
  app.add_flag("--check-invariants", c.check_invariants,
               "Check at run time: one leader per unit and term, every committed entry in every later leader's "
               "log, no write acknowledged by a majority lost; a violation stops the run with exit status 3");
  app.add_option("--timeline-step", c.timeline_step,
                 "Write roles_timeline.csv (each node's leader units) every this often (default with --faults: 1s)");
}

}  // namespace replisim
