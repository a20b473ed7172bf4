#include "experiments/core/models/failover.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "protocols/common/quantities.hpp"
#include "protocols/common/rng.hpp"

namespace replisim {

namespace {

constexpr std::uint64_t kFailoverStream = (1u << 20) + 3;  // past every client's stream

// Raft's preset: the election timeouts the paper recommends, 150–300 ms, and
// heartbeats every half of the shortest timeout, as in its measurements
// (Ongaro and Ousterhout §9.3).
constexpr Time kRaftTimeoutMin = 0.150;
constexpr Time kRaftTimeoutMax = 0.300;
constexpr Time kMaxTimeout = 86'400;
// The shortest election timeout and rebalance interval replisim takes: below,
// elections (or rebalances) follow each other faster than any message can
// cross a network, and a run piles up timers without ever ending. A run
// also refuses an election timeout shorter than the longest round trip
// between a unit's replicas (leader_based.cpp).
constexpr Time kMinElectionTimeout = 1e-3;
constexpr Time kMinRebalanceInterval = 1e-3;
// etcd's defaults: --heartbeat-interval 100 ms, --election-timeout 1000 ms.
constexpr Time kEtcdHeartbeat = 0.100;
constexpr Time kEtcdElectionTimeout = 1.000;

struct TimeoutRange {
  Time lo;
  Time hi;
};

// "150ms:300ms", or one duration for timeouts without randomness. Throws
// std::invalid_argument without the flag (ParamSpec::validate's contract).
TimeoutRange parse_timeout_range(const std::string& text)
{
  const auto colon = text.find(':');
  const auto seconds = [](const std::string& part) {
    try {
      return duration_seconds(part);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("'{}' {}", part, e.what()));
    }
  };
  const Time lo = seconds(text.substr(0, colon));
  const Time hi = colon == std::string::npos ? lo : seconds(text.substr(colon + 1));
  if (!(lo > 0) || !(lo <= hi) || hi > kMaxTimeout)
    throw std::invalid_argument(fmt::format("'{}' must be lo:hi with 0 < lo <= hi <= 1 day (or one duration)", text));
  if (lo < kMinElectionTimeout)
    throw std::invalid_argument(fmt::format("'{}' is shorter than 1ms, the shortest election timeout replisim takes "
                                            "(elections would follow each other faster than messages cross)",
                                            text));
  return {lo, hi};
}


const ChoiceParam kFailover{{
    .name = "failover",
    .default_value = "none",
    .help = "how a unit's leader is replaced when it fails: none (the primary leads for the whole run), raft "
            "(per-unit elections after Raft: timeouts 150ms:300ms, heartbeats every half the shortest), etcd (Raft as "
            "etcd 3.4's server runs it: ticks of the heartbeat, 100ms, an election timeout of 1000ms drawn in "
            "[et, 2 et) ticks at each change of term, CheckQuorum and its lease, no pre-vote), mongodb "
            "(replica-set elections: heartbeat 2s, election timeout 10s plus up to 15% jitter, dry-run elections, a "
            "primary without a majority steps down, primary catch-up) or "
            "kafka (a controller moves a failed broker's partitions to their first live in-sync replica; session "
            "timeout 9s, preferred-leader rebalance)",
    .choices = {"none", "raft", "etcd", "mongodb", "kafka"},
}};

const DurationParam kHeartbeat{{
    .name = "heartbeat",
    .help = "with --failover: how often a leader heartbeats its followers (default: raft, half the shortest "
            "election timeout; etcd, 100ms, also its tick; mongodb, 2s; kafka, 500ms, replica.fetch.wait.max.ms)",
    .min = 1e-4,  // 100 us: at 10 us a 0.5 s run took 20 s of wall time, heartbeats piling up in flight
    .max = 86'400,
}};

const TextParam kElectionTimeout{{
    .name = "election-timeout",
    .help = "with --failover: election timeouts drawn uniformly in lo:hi (e.g. 150ms:300ms), or one duration "
            "for timeouts without randomness (default: the preset's); with etcd, one duration et, a whole number of "
            "at least 5 heartbeats (default 1000ms), drawn in [et, 2 et) ticks",
    .validate = [](const std::string& text) { parse_timeout_range(text); },
}};

const DurationParam kLeaderRebalanceInterval{{
    .name = "leader-rebalance-interval",
    .default_value = "300s",
    .help = "with --failover kafka: how often the controller moves partitions back to their preferred leaders "
            "(leader.imbalance.check.interval.seconds); 0: never (auto.leader.rebalance.enable=false)",
    .min = 0,
    .max = 86'400,
}};

const TextParam kKafkaController{{
    .name = "kafka-controller",
    .help = "with --failover kafka: kraft (default; Kafka >= 3.3, the only mode since 4.0: brokers heartbeat every 2s, "
            "fenced after 9s, every partition whose preferred leader is live and in sync moves back at each "
            "rebalance check) or zookeeper (Kafka 2.5 to 3.x: ZooKeeper sessions of 18s, the rebalance gated by "
            "--leader-imbalance-pct)",
    .validate =
        [](const std::string& text) {
          if (text != "kraft" && text != "zookeeper")
            throw std::invalid_argument(fmt::format("'{}' is not kraft or zookeeper", text));
        },
}};

const NumberParam kLeaderImbalancePct{{
    .name = "leader-imbalance-pct",
    .default_value = "10",
    .help = "with --failover kafka --kafka-controller zookeeper: a broker gets its preferred partitions back once "
            "more than this share of them is led elsewhere (leader.imbalance.per.broker.percentage; "
            "KRaft ignores it)",
    .min = 0,
    .max = 100,
}};

const FlagParam kCheckQuorum{{
    .name = "check-quorum",
    .help = "with --failover raft: etcd's CheckQuorum, a leader that has not heard from a majority of its unit's "
            "replicas within an election timeout steps down, and a follower that heard from its leader within the "
            "shortest election timeout ignores vote requests (off: the paper's Raft; mongodb always steps down)",
}};

const FlagParam kPreVote{{
    .name = "pre-vote",
    .help = "with --failover raft or etcd: a node whose election timeout fires first asks, without raising its term, "
            "whether a majority would vote for it (Raft thesis 9.6, etcd's PreVote; always on with mongodb, its "
            "dry-run elections)",
}};

const DurationParam kCatchUpTimeout{{
    .name = "catch-up-timeout",
    .help = "with --failover mongodb: how long a new primary copies entries it lacks from the most up-to-date "
            "member before it takes writes (catchUpTimeoutMillis; default unbounded, its -1)",
    .min = 0,
    .max = 86'400,
}};

// Refuses a parameter given without the preset it belongs to.
template <class Handle>
void require_preset(const ModelParams& params, const Handle& handle, const char* needs)
{
  if (params.given(handle))
    throw std::invalid_argument(fmt::format("--{}: needs --failover {}", handle.spec().name, needs));
}

}  // namespace

std::vector<ParamSpec> failover_params()
{
  return {kFailover.spec(),          kHeartbeat.spec(),       kElectionTimeout.spec(), kLeaderRebalanceInterval.spec(),
          kLeaderImbalancePct.spec(), kKafkaController.spec(), kCheckQuorum.spec(),     kPreVote.spec(),
          kCatchUpTimeout.spec()};
}

const std::string& failover_preset(const ModelParams& params) { return params[kFailover]; }

namespace {

// etcd's timing: one base timeout, counted in ticks of the heartbeat. etcd
// refuses an election timeout under 5 heartbeats ("should be at least as 5
// times as --heartbeat-interval", embed/config.go) and truncates
// ElectionMs / TickMs; replisim refuses what would be truncated.
FailoverConfig etcd_config(const ModelParams& params, std::uint64_t seed)
{
  const Time tick = params.given(kHeartbeat) ? Time(params[kHeartbeat]) : kEtcdHeartbeat;
  Time et = kEtcdElectionTimeout;
  if (params.given(kElectionTimeout)) {
    const std::string& text = params[kElectionTimeout];
    const TimeoutRange range = parse_timeout_range(text);
    if (range.lo != range.hi)
      throw std::invalid_argument(fmt::format("--election-timeout: '{}': --failover etcd takes one duration, the "
                                              "base timeout et (it draws in [et, 2 et) itself)", text));
    et = range.lo;
  }
  const double ticks = et / tick;
  if (ticks < 5 - 1e-6)
    throw std::invalid_argument(fmt::format("--election-timeout: {} s is under 5 heartbeats of {} s: etcd requires "
                                            "at least 5", et, tick));
  if (std::abs(ticks - std::round(ticks)) > 1e-6)
    throw std::invalid_argument(fmt::format("--election-timeout: {} s is not a whole number of heartbeats of {} s: "
                                            "etcd counts it in ticks", et, tick));
  FailoverConfig config = FailoverConfig::etcd(tick, et, seed);
  config.pre_vote = params[kPreVote];
  return config;
}

}  // namespace

FailoverConfig failover_config(const ModelParams& params, std::uint64_t run_seed)
{
  const std::string& preset = params[kFailover];
  if (preset == "etcd" && params.given(kCheckQuorum) && params[kCheckQuorum])
    throw std::invalid_argument("--check-quorum: --failover etcd always checks the quorum (as etcd's server does)");
  if (preset != "raft" && preset != "etcd") {
    if (params.given(kCheckQuorum) && params[kCheckQuorum])
      throw std::invalid_argument(preset == "mongodb" ? "--check-quorum: --failover mongodb always steps down (as MongoDB does)"
                                                      : "--check-quorum: needs --failover raft");
    if (params.given(kPreVote) && params[kPreVote])
      throw std::invalid_argument(preset == "mongodb" ? "--pre-vote: --failover mongodb always runs a dry-run election first"
                                                      : "--pre-vote: needs --failover raft");
  }
  if (preset != "mongodb")
    require_preset(params, kCatchUpTimeout, "mongodb");
  if (preset != "kafka") {
    require_preset(params, kLeaderRebalanceInterval, "kafka");
    require_preset(params, kLeaderImbalancePct, "kafka");
    require_preset(params, kKafkaController, "kafka");
  }
  if (preset == "none") {
    require_preset(params, kHeartbeat, "raft, etcd, mongodb or kafka");
    require_preset(params, kElectionTimeout, "raft, etcd, mongodb or kafka");
    return FailoverConfig::none();
  }
  const std::uint64_t seed = derive_seed(run_seed, kFailoverStream);
  if (preset == "etcd")
    return etcd_config(params, seed);
  if (preset == "kafka") {
    if (params.given(kElectionTimeout))
      throw std::invalid_argument("--election-timeout: --failover kafka has none: its controller chooses leaders");
    FailoverConfig config = FailoverConfig::kafka(seed);
    if (params.given(kHeartbeat))
      config.heartbeat_interval = params[kHeartbeat];
    const double interval = params[kLeaderRebalanceInterval];
    if (interval > 0 && interval < kMinRebalanceInterval)
      throw std::invalid_argument(fmt::format("--leader-rebalance-interval: '{}' is shorter than 1ms, the shortest "
                                              "replisim takes (0: never)",
                                              params.column_text(kLeaderRebalanceInterval.spec())));
    config.controller.leader_imbalance_check_interval = interval > 0 ? interval : kNever;
    if (params.given(kKafkaController) && params[kKafkaController] == "zookeeper") {
      config.controller = KafkaControllerConfig::zookeeper(config.controller.leader_imbalance_check_interval);
      if (params.given(kLeaderImbalancePct))
        config.controller.leader_imbalance_per_broker_pct = params[kLeaderImbalancePct];
    } else if (params.given(kLeaderImbalancePct)) {
      throw std::invalid_argument("--leader-imbalance-pct: KRaft ignores leader.imbalance.per.broker.percentage and "
                                  "moves every partition whose preferred leader is live and in sync back; add "
                                  "--kafka-controller zookeeper for the ZooKeeper controller's gate");
    }
    validate(config);
    return config;
  }
  const bool raft = preset == "raft";
  FailoverConfig config = raft ? FailoverConfig::raft(kRaftTimeoutMin, kRaftTimeoutMax, kRaftTimeoutMin / 2, seed)
                               : FailoverConfig::mongodb(seed);
  if (params.given(kElectionTimeout)) {
    const TimeoutRange range = parse_timeout_range(params[kElectionTimeout]);
    config.election_timeout_min = range.lo;
    config.election_timeout_max = range.hi;
    if (raft) {
      config.heartbeat_interval = range.lo / 2;
      config.replica_lag_max = range.hi;
    }
  }
  if (params.given(kHeartbeat))
    config.heartbeat_interval = params[kHeartbeat];
  if (raft) {
    config.step_down = params[kCheckQuorum] ? StepDown::check_quorum : StepDown::never;
    config.pre_vote = params[kPreVote];
  } else if (params.given(kCatchUpTimeout)) {
    config.catch_up_timeout = params[kCatchUpTimeout];
  }
  if (config.heartbeat_interval >= config.election_timeout_min)
    throw std::invalid_argument(fmt::format("--heartbeat: {} s is not shorter than the shortest election timeout ({} s): "
                                            "followers would stand for election between heartbeats",
                                            config.heartbeat_interval, config.election_timeout_min));
  validate(config);
  return config;
}

}  // namespace replisim
