// Everything one `replisim run` is asked to do, parsed and checked. A field
// keeps the text the user typed where summary.csv reports it as typed.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "experiments/core/models/model_settings.hpp"
#include "experiments/core/models/param.hpp"
#include "platforms/star_platform.hpp"
#include "protocols/common/delay.hpp"
#include "protocols/client/workload.hpp"

namespace replisim {

// The valid range of each numeric flag of `run` (and of `placement`,
// `platform`, `bench`), checked before anything runs. The upper limits keep
// memory and time in bounds: see each one.
namespace limits {
inline constexpr int kMaxNodes = 10'000;       // SimGrid keeps a route table per sending host: memory ~ hosts²
inline constexpr int kMaxClients = 10'000;     // likewise: each client host is a sender
inline constexpr std::uint64_t kMaxOps = 10'000'000'000;  // the run's time and ops.csv grow with it
inline constexpr std::uint64_t kMaxKeys = 1'000'000'000;
inline constexpr std::uint64_t kMaxZipfianKeys = 100'000'000;  // zipfian precomputes zeta over every key (~1 s)
inline constexpr std::uint64_t kMaxValueBytes = 1ull << 30;     // 1 GiB: a message's simulated size
inline constexpr int kMaxConcurrency = 1'000'000;  // outstanding operations per client, each held in memory
inline constexpr double kMinRate = 1e-3;           // ops/s per client (0: closed loop); below, a run never ends
inline constexpr double kMaxRate = 1e9;
inline constexpr double kMaxTimeout = 1e6;          // seconds
inline constexpr double kMaxLatency = 86'400;       // seconds: a day, for every duration of a link or a cost
inline constexpr double kMaxLatencyScale = 1e6;
inline constexpr int kMaxThreads = 4'096;
inline constexpr int kMaxCores = 4'096;
inline constexpr int kMaxRetries = 100;
inline constexpr std::int64_t kMaxWorkerSlots = 1'000'000;  // nodes × threads: ~200 B each (20 M took 3.9 GB)
inline constexpr long long kMaxReplicas = 1'000'000;       // units × rf: ~3 KB each with its log
}  // namespace limits

struct RunConfig {
  std::string model = "leader-follower";
  std::map<std::string, std::string> model_args;  // the models' own flags as given (name without dashes → text)
  std::string platform;              // XML file; empty: a generated star
  std::string deployment;            // SimGrid deployment file placing nodes and clients on the platform's hosts
  int nodes = 9;                     // star size, or the first N nodes of a platform
  bool nodes_given = false;
  int clients = 3;
  bool clients_given = false;
  std::string latency = "5ms";       // star: one-way latency of each host's link
  std::string bandwidth = "1Gbps";
  int rf = 3;
  std::string rf_text;               // --rf as typed: a number, or zone:rf,... (leaderless network-topology)
  std::vector<std::string> delays;   // --delay KIND=DIST, repeatable
  std::vector<std::string> services; // --service KIND=DIST, repeatable: processing cost per message kind
  int threads = 1;                   // workers per node (a host's `threads` property overrides it)
  bool sync_writes = false;          // durable writes reach the disk before the node answers
  std::string host_speed = "1Gf";    // star: each host's speed
  int cores = 1;                     // star: each host's cores
  std::string disk_read_bw = "500MBps";   // star: each node's disk
  std::string disk_write_bw = "200MBps";
  std::vector<std::string> down;     // node hosts turned off for the whole run
  double latency_scale = 1.0;        // multiplies every link latency of the platform
  std::uint64_t ops = 10000;
  double read_ratio = 0.0;
  std::uint64_t keys = 1000;
  std::string key_dist = "uniform";
  int concurrency = 1;
  double rate = 0;                   // ops/s per client; 0: closed loop
  std::uint64_t value_bytes = 100;
  std::string timeout = "2000ms";
  // Attempts after the first, per operation; unset: the failover preset's
  // drivers' (MongoDB 1, Kafka until --delivery-timeout, Raft 0), else 0.
  std::optional<int> retries;
  std::string retry_backoff = "100ms";  // before the first retry; doubling after
  std::string retry_backoff_max = "1s"; // ...up to this (Kafka's retry.backoff.max.ms)
  bool check_invariants = false;     // stop the run (exit 3) at the first violated invariant
  std::uint64_t seed = 1;
  std::string out;                   // output directory; empty: print the summary only
  std::string roles_dot;             // Graphviz file of the unit–node role graph; empty: none
  std::string faults;                // TOML fault schedule; empty: none
  std::string ops_file = "csv";      // ops.csv as it is (csv), compressed (gz: ops.csv.gz) or left out (none)
  std::string timeline_step;         // roles_timeline.csv every this often; empty: 1 s with --faults, else none
  std::vector<std::string> engine_args;  // --cfg= and --log=, for SimGrid
  // Set by the checks before the run: some host or link of the platform has
  // a state_file, so nodes go off and on as under a fault file.
  bool state_profiles = false;

  // Sets a model's flag, as `--NAME TEXT` would.
  RunConfig& set(const std::string& name, std::string text)
  {
    model_args[name] = std::move(text);
    return *this;
  }

  // Parsed forms, filled by check().
  ModelParams params;                // the chosen model's parameters
  double latency_s = 0;
  double bandwidth_Bps = 0;
  double timeout_s = 0;
  double retry_backoff_s = 0;
  double retry_backoff_max_s = 0;
  KeyDistribution key_distribution = KeyDistribution::uniform;
  std::vector<std::pair<std::string, int>> rf_per_zone;  // from rf_text when it names zones
  DelayModel delay_model;
  DelayModel service_model;
  double timeline_step_s = 0;        // 0: no roles_timeline.csv
  double host_speed_flops = 0;
  double disk_read_Bps = 0;
  double disk_write_Bps = 0;

  // Checks what can be checked without a platform; throws std::invalid_argument
  // with a one-line message naming the flag.
  void check();
  // What a model is given of these settings (after check()).
  ModelSettings model_settings() const { return {rf, rf_per_zone, seed, timeout_s, has_faults()}; }
  // A fault file, or a platform whose state profiles turn hosts or links off
  // and on: the two are handled alike, outputs included.
  bool has_faults() const { return !faults.empty() || state_profiles; }
  // The generated star these flags describe (after check()).
  StarSpec star() const
  {
    return {nodes, clients, latency_s, bandwidth_Bps, host_speed_flops, cores, disk_read_Bps, disk_write_Bps, sync_writes};
  }

private:
  void parse_rf();
};


}  // namespace replisim
