#include "protocols/raft/election.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace replisim {

FailoverConfig FailoverConfig::raft(Time lo, Time hi, Time heartbeat, std::uint64_t seed)
{
  FailoverConfig c;
  c.enabled = true;
  c.heartbeat_interval = heartbeat;
  c.election_timeout_min = lo;
  c.election_timeout_max = hi;
  c.seed = seed;
  c.replica_lag_max = hi;
  validate(c);
  return c;
}

FailoverConfig FailoverConfig::mongodb(std::uint64_t seed)
{
  FailoverConfig c;
  c.enabled = true;
  c.heartbeat_interval = 2.0;
  c.election_timeout_min = 10.0;
  c.election_timeout_max = 11.5;
  c.seed = seed;
  c.catch_up = true;
  c.catch_up_takeover_delay = 30.0;
  c.step_down = StepDown::member_timeout;
  c.pre_vote = true;
  return c;
}

FailoverConfig FailoverConfig::etcd(Time heartbeat, Time election_timeout, std::uint64_t seed)
{
  FailoverConfig c;
  c.enabled = true;
  c.ticks = true;
  c.heartbeat_interval = heartbeat;
  c.election_timeout_min = election_timeout;
  c.election_timeout_max = 2 * election_timeout - heartbeat;
  c.seed = seed;
  c.replica_lag_max = 2 * election_timeout;
  c.step_down = StepDown::check_quorum;
  validate(c);
  return c;
}

FailoverConfig FailoverConfig::kafka(std::uint64_t seed)
{
  FailoverConfig c;
  c.enabled = true;
  c.heartbeat_interval = 0.5;
  c.seed = seed;
  c.replica_lag_max = 30.0;
  c.controller.enabled = true;
  return c;
}

namespace {
void validate_controller(const KafkaControllerConfig& c)
{
  if (!(c.broker_heartbeat_interval > 0) || !(c.broker_heartbeat_interval < c.broker_session_timeout))
    throw std::invalid_argument("failover kafka: the broker heartbeat interval and session timeout must satisfy "
                                "0 < heartbeat < session timeout");
  if (!(c.leader_imbalance_check_interval > 0))
    throw std::invalid_argument("failover kafka: the leader imbalance check interval must be positive");
  if (!(c.leader_imbalance_per_broker_pct >= 0 && c.leader_imbalance_per_broker_pct <= 100))
    throw std::invalid_argument("failover kafka: the leader imbalance percentage must be in [0, 100]");
}
}  // namespace

void validate(const FailoverConfig& config)
{
  if (!config.enabled) {
    if (config.controller.enabled)
      throw std::invalid_argument("failover: a Kafka controller needs failover enabled");
    return;
  }
  if (!(config.heartbeat_interval > 0))
    throw std::invalid_argument("failover: the heartbeat interval must be positive");
  if (config.controller.enabled)
    validate_controller(config.controller);
  else if (!(config.election_timeout_min > 0) || !(config.election_timeout_min <= config.election_timeout_max))
    throw std::invalid_argument("failover: the election timeout range must satisfy 0 < min <= max");
  if (config.ticks) {
    const double ticks = config.election_timeout_min / config.heartbeat_interval;
    if (!(ticks >= 5 - 1e-6) || std::abs(ticks - std::round(ticks)) > 1e-6)
      throw std::invalid_argument("failover: with ticks, the election timeout must be a whole number of at least 5 "
                                  "heartbeat intervals");
  }
  if (!(config.replica_lag_max > 0))
    throw std::invalid_argument("failover: replica_lag_max must be positive");
  if (!(config.catch_up_timeout >= 0))
    throw std::invalid_argument("failover: the catch-up timeout must not be negative");
}

int election_ticks(const FailoverConfig& config)
{
  return static_cast<int>(std::lround(config.election_timeout_min / config.heartbeat_interval));
}

const char* to_string(ReplicaRole role)
{
  switch (role) {
    case ReplicaRole::follower: return "follower";
    case ReplicaRole::candidate: return "candidate";
    case ReplicaRole::leader: return "leader";
  }
  return "?";
}

int majority(int replicas) { return replicas / 2 + 1; }

Time draw_election_timeout(Rng& rng, Time lo, Time hi) { return lo + (hi - lo) * rng.uniform(); }

bool candidate_up_to_date(Term candidate_last_term, LogIndex candidate_last_index, Term voter_last_term,
                          LogIndex voter_last_index)
{
  if (candidate_last_term != voter_last_term)
    return candidate_last_term > voter_last_term;
  return candidate_last_index >= voter_last_index;
}

bool grants_vote(NodeId voted_for, NodeId candidate, bool up_to_date)
{
  return up_to_date && (voted_for == kNoNode || voted_for == candidate);
}

int VoteTally::count() const { return static_cast<int>(std::count(granted_.begin(), granted_.end(), true)); }

}  // namespace replisim
