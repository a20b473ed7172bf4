// The settings of Kafka's controller-driven failover (`--failover kafka`),
// named after the Kafka configuration each one stands for, with Kafka's
// defaults: KRaft's (Kafka 3.3 and later, the only mode since 4.0) or the
// ZooKeeper-based controller's (Kafka 2.5 to 3.x; Apache Kafka broker
// configuration reference).
#pragma once
#include <cstdint>

#include "protocols/common/types.hpp"

namespace replisim {

// KRaft, or the controller of the ZooKeeper era (KIP-500 replaced it).
enum class KafkaControllerMode : std::uint8_t { kraft, zookeeper };

struct KafkaControllerConfig {
  // Off: leaders are elected by Raft votes per unit (FailoverConfig::raft,
  // ::mongodb). On: a controller decides them (see kafka_controller.hpp).
  bool enabled = false;
  KafkaControllerMode mode = KafkaControllerMode::kraft;
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
  // leader.imbalance.per.broker.percentage = 10, read by the ZooKeeper
  // controller only: a broker's partitions go back to it once more than
  // this share of those that prefer it is led elsewhere. KRaft's
  // QuorumController moves every partition whose preferred leader is live
  // and in sync back at each check, whatever the share.
  double leader_imbalance_per_broker_pct = 10.0;
  // controller.quorum.fetch.timeout.ms = 2000: a KRaft quorum leader that
  // has had no fetch from a majority of the voters for this long resigns
  // (KIP-595); in combined mode the voters are the brokers. Here a broker's
  // heartbeat is the only contact with the controller, so a voter counts as
  // heard for a heartbeat interval past this timeout (see quorum_window).
  Time controller_quorum_fetch_timeout = 2.0;

  // How long the controller counts a node as heard: KRaft, the fetch
  // timeout plus the heartbeat interval that stands for the fetches; the
  // ZooKeeper controller, its ZooKeeper session timeout (a controller that
  // lost its session resigns).
  Time quorum_window() const
  {
    return mode == KafkaControllerMode::zookeeper ? broker_session_timeout
                                                  : controller_quorum_fetch_timeout + broker_heartbeat_interval;
  }

  // The ZooKeeper-based controller (Kafka 2.5 to 3.x): it learns that a
  // broker failed when the broker's ZooKeeper session expires,
  // zookeeper.session.timeout.ms = 18000 (KIP-537, Kafka 2.5), and a
  // ZooKeeper client pings its server every third of the session timeout;
  // its preferred-leader rebalance is gated by the percentage above.
  static KafkaControllerConfig zookeeper(Time leader_imbalance_check_interval)
  {
    KafkaControllerConfig c;
    c.enabled = true;
    c.mode = KafkaControllerMode::zookeeper;
    c.broker_session_timeout = 18.0;
    c.broker_heartbeat_interval = c.broker_session_timeout / 3;
    c.leader_imbalance_check_interval = leader_imbalance_check_interval;
    return c;
  }
};

}  // namespace replisim
