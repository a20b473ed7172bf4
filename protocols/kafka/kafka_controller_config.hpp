// The settings of Kafka's controller-driven failover (`--failover kafka`),
// named after the Kafka configuration each one stands for, with Kafka's
// defaults (Apache Kafka 3.x broker configuration reference).
#pragma once
#include "protocols/common/types.hpp"

namespace replisim {

struct KafkaControllerConfig {
  // Off: leaders are elected by Raft votes per unit (FailoverConfig::raft,
  // ::mongodb). On: a controller decides them (see kafka_controller.hpp).
  bool enabled = false;
  // broker.heartbeat.interval.ms = 2000: each broker tells the controller it
  // is alive this often.
  Time broker_heartbeat_interval = 2.0;
  // broker.session.timeout.ms = 9000: the controller fences a broker it has
  // not heard from for this long, and moves the leadership of its partitions.
  // A broker that hears nothing from its controller for as long looks for the
  // next one.
  Time broker_session_timeout = 9.0;
  // leader.imbalance.check.interval.seconds = 300: how often the controller
  // looks for partitions led by another broker than their preferred leader.
  // kNever: never (auto.leader.rebalance.enable = false).
  Time leader_imbalance_check_interval = 300.0;
  // leader.imbalance.per.broker.percentage = 10: a broker's partitions go
  // back to it once more than this share of those that prefer it is led
  // elsewhere.
  double leader_imbalance_per_broker_pct = 10.0;
};

}  // namespace replisim
