// The failover presets' client drivers and Kafka controllers as the flags
// configure them (experiments/core/models/client_driver.*, failover.*): each
// preset's documented defaults, each flag overriding one, and KRaft or
// ZooKeeper from --kafka-controller.
#include "experiments/core/models/client_driver.hpp"

#include <gtest/gtest.h>

#include "experiments/core/models/failover.hpp"

namespace replisim {
namespace client_driver_params_test {

ModelParams params_of(const std::map<std::string, std::string>& given)
{
  std::vector<ParamSpec> specs = failover_params();
  for (ParamSpec& p : client_driver_params())
    specs.push_back(std::move(p));
  return ModelParams(specs, given);
}

TEST(ClientDriverParams, EachPresetBringsItsDriversDefaults)
{
  EXPECT_FALSE(client_driver(params_of({}), 2.0).has_value()) << "no failover, no driver";

  const DriverDefaults mongodb = *client_driver(params_of({{"failover", "mongodb"}}), 2.0);
  EXPECT_TRUE(mongodb.discovery.enabled);
  EXPECT_EQ(mongodb.discovery.refresh_interval, 10.0);
  EXPECT_EQ(mongodb.discovery.min_refresh_interval, 0.5);
  EXPECT_EQ(mongodb.discovery.leader_wait, 30.0);
  EXPECT_EQ(mongodb.discovery.delivery_timeout, kNever);
  EXPECT_FALSE(mongodb.discovery.follow_hints);
  EXPECT_EQ(mongodb.retries, 1);

  const DriverDefaults kafka = *client_driver(params_of({{"failover", "kafka"}}), 2.0);
  EXPECT_EQ(kafka.discovery.refresh_interval, 300.0);
  EXPECT_EQ(kafka.discovery.min_refresh_interval, 0.1);
  EXPECT_EQ(kafka.discovery.delivery_timeout, 120.0);
  EXPECT_EQ(kafka.retries, 100);
  EXPECT_TRUE(kafka.discovery.follow_hints);

  const DriverDefaults raft = *client_driver(params_of({{"failover", "raft"}}), 0.75);
  EXPECT_EQ(raft.discovery.refresh_interval, kNever);
  EXPECT_EQ(raft.discovery.leader_wait, 0.75) << "as long as --timeout";
  EXPECT_EQ(raft.retries, 0);
}

TEST(ClientDriverParams, EachFlagOverridesItsDefault)
{
  const DriverDefaults d = *client_driver(params_of({{"failover", "mongodb"},
                                                     {"leader-refresh", "0"},
                                                     {"min-leader-refresh", "250ms"},
                                                     {"leader-wait", "5s"},
                                                     {"delivery-timeout", "60s"}}),
                                          2.0);
  EXPECT_EQ(d.discovery.refresh_interval, kNever) << "0: only when in doubt";
  EXPECT_EQ(d.discovery.min_refresh_interval, 0.25);
  EXPECT_EQ(d.discovery.leader_wait, 5.0);
  EXPECT_EQ(d.discovery.delivery_timeout, 60.0);
}

TEST(ClientDriverParams, KafkaControllerKRaftByDefaultZooKeeperOnRequest)
{
  const FailoverConfig kraft = failover_config(params_of({{"failover", "kafka"}}), 1);
  EXPECT_EQ(kraft.controller.mode, KafkaControllerMode::kraft);
  EXPECT_EQ(kraft.controller.broker_session_timeout, 9.0);
  const FailoverConfig zk = failover_config(
      params_of({{"failover", "kafka"}, {"kafka-controller", "zookeeper"}, {"leader-imbalance-pct", "25"}}), 1);
  EXPECT_EQ(zk.controller.mode, KafkaControllerMode::zookeeper);
  EXPECT_EQ(zk.controller.broker_session_timeout, 18.0);
  EXPECT_EQ(zk.controller.leader_imbalance_per_broker_pct, 25.0);
  EXPECT_EQ(zk.controller.leader_imbalance_check_interval, 300.0);
  EXPECT_THROW(failover_config(params_of({{"failover", "kafka"}, {"leader-imbalance-pct", "25"}}), 1),
               std::invalid_argument);
}

}  // namespace client_driver_params_test
}  // namespace replisim
