#include "experiments/core/models/client_driver.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "experiments/core/models/failover.hpp"

namespace replisim {

namespace {

constexpr double kDay = 86'400;
constexpr int kUntilDeliveryTimeout = 100;  // the most --retries allows: Kafka's retries (2^31 − 1) end by the deadline

const DurationParam kLeaderRefresh{{
    .name = "leader-refresh",
    .help = "with --failover: how often a client checks who leads each unit it writes to; 0: only after a refusal "
            "or a timeout (default: mongodb 10s, heartbeatFrequencyMS; kafka 300s, metadata.max.age.ms; raft 0)",
    .min = 0,
    .max = kDay,
}};

const DurationParam kMinLeaderRefresh{{
    .name = "min-leader-refresh",
    .help = "with --failover: the least time between two checks of one unit's leader, and how often a unit is "
            "checked while operations wait for its leader (default: mongodb 500ms, minHeartbeatFrequencyMS; kafka "
            "100ms, retry.backoff.ms; raft 25ms, etcd's client backoff)",
    .min = 1e-6,
    .max = kDay,
}};

const DurationParam kLeaderWait{{
    .name = "leader-wait",
    .help = "with --failover: how long an operation waits for its unit's leader to be known before it fails "
            "(default: mongodb 30s, serverSelectionTimeoutMS; kafka: until --delivery-timeout; raft: --timeout)",
    .min = 0,
    .max = kDay,
}};

const DurationParam kDeliveryTimeout{{
    .name = "delivery-timeout",
    .help = "with --failover: an operation ends by its start plus this, waits and retries included; 0: no bound "
            "(default: kafka 120s, delivery.timeout.ms; mongodb and raft 0)",
    .min = 0,
    .max = kDay,
}};

// Kafka's producer (3.7 and later): metadata refreshed every
// metadata.max.age.ms = 300000 and on NOT_LEADER_OR_FOLLOWER or a lost
// connection, no more often than retry.backoff.ms = 100; a record waits for
// its leader and is retried within delivery.timeout.ms = 120000, backing off
// from retry.backoff.ms to retry.backoff.max.ms = 1000 (KIP-580); a refusal
// names the new leader (KIP-951).
DriverDefaults kafka_producer()
{
  DriverDefaults d;
  d.discovery = {.enabled = true, .refresh_interval = 300, .min_refresh_interval = 0.1, .leader_wait = kNever,
                 .delivery_timeout = 120, .follow_hints = true};
  d.retries = kUntilDeliveryTimeout;
  return d;
}

// MongoDB's drivers (Server Discovery and Monitoring, Server Selection and
// Retryable Writes specifications): every member checked every
// heartbeatFrequencyMS = 10000, and at once after a "not primary" or network
// error but no more often than minHeartbeatFrequencyMS = 500; an operation
// waits up to serverSelectionTimeoutMS = 30000 for a primary; retryWrites
// and retryReads (on by default) retry once.
DriverDefaults mongodb_driver()
{
  DriverDefaults d;
  d.discovery = {.enabled = true, .refresh_interval = 10, .min_refresh_interval = 0.5, .leader_wait = 30,
                 .delivery_timeout = kNever, .follow_hints = false};
  d.retries = 1;
  return d;
}

// A Raft client (Ongaro and Ousterhout §8): it goes where a refusal points
// and looks again only after a refusal or a timeout; it waits for a leader
// as long as for an answer. etcd's client backs off 25 ms between retries.
DriverDefaults raft_client(double attempt_timeout)
{
  DriverDefaults d;
  d.discovery = {.enabled = true, .refresh_interval = kNever, .min_refresh_interval = 0.025,
                 .leader_wait = attempt_timeout, .delivery_timeout = kNever, .follow_hints = true};
  return d;
}

const std::vector<const DurationParam*>& all_params()
{
  static const std::vector<const DurationParam*> params = {&kLeaderRefresh, &kMinLeaderRefresh, &kLeaderWait,
                                                           &kDeliveryTimeout};
  return params;
}

}  // namespace

std::vector<ParamSpec> client_driver_params()
{
  std::vector<ParamSpec> specs;
  for (const DurationParam* p : all_params())
    specs.push_back(p->spec());
  return specs;
}

std::optional<DriverDefaults> client_driver(const ModelParams& params, double attempt_timeout)
{
  const std::string& preset = failover_preset(params);
  if (preset == "none") {
    for (const DurationParam* p : all_params())
      if (params.given(*p))
        throw std::invalid_argument(fmt::format("--{}: needs --failover raft, mongodb or kafka", p->spec().name));
    return std::nullopt;
  }
  DriverDefaults d = preset == "kafka" ? kafka_producer() : preset == "mongodb" ? mongodb_driver() : raft_client(attempt_timeout);
  LeaderDiscovery& discovery = d.discovery;
  const auto never_if_zero = [](double seconds) { return seconds > 0 ? seconds : kNever; };
  if (params.given(kLeaderRefresh))
    discovery.refresh_interval = never_if_zero(params[kLeaderRefresh]);
  if (params.given(kMinLeaderRefresh))
    discovery.min_refresh_interval = params[kMinLeaderRefresh];
  if (params.given(kLeaderWait))
    discovery.leader_wait = params[kLeaderWait];
  if (params.given(kDeliveryTimeout))
    discovery.delivery_timeout = never_if_zero(params[kDeliveryTimeout]);
  return d;
}

}  // namespace replisim
