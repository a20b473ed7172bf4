// The flags of the clients' drivers and of Kafka's controller: each refused
// with one line naming it where it does not apply (exit 2, nothing
// written), and accepted where it does. With KRaft, --leader-imbalance-pct
// is refused with a line saying KRaft ignores it and naming the flag that
// keeps it (it used to be taken, and gated KRaft's rebalance).
#include "support/bad_input.hpp"

namespace client_driver_flags_test {

using replisim::test::CommandResult;

class DriverFlags : public replisim::test::BadInputTest {};

TEST_F(DriverFlags, TheImbalancePercentageIsRefusedWithKRaftAndTakenWithZooKeeper)
{
  const std::string kafka = "run --model partitioned --nodes 6 --units 12 --ops 10 --failover kafka ";
  expect_bad_input(kafka + "--leader-imbalance-pct 20", "--leader-imbalance-pct: KRaft ignores");
  expect_bad_input(kafka + "--leader-imbalance-pct 20", "--kafka-controller zookeeper");
  expect_bad_input(kafka + "--kafka-controller kraft --leader-imbalance-pct 20", "KRaft ignores");
  const CommandResult zookeeper = replisim(kafka + "--kafka-controller zookeeper --leader-imbalance-pct 20 --dry-run");
  EXPECT_EQ(zookeeper.status, 0) << zookeeper.err;
  expect_bad_input(kafka + "--kafka-controller etcd", "--kafka-controller: 'etcd' is not kraft or zookeeper");
  expect_bad_input("run --model partitioned --nodes 6 --ops 10 --failover raft --kafka-controller zookeeper",
                   "--kafka-controller: needs --failover kafka");
}

TEST_F(DriverFlags, TheDriversFlagsNeedAFailoverPreset)
{
  for (const std::string flag : {"--leader-refresh 5s", "--min-leader-refresh 100ms", "--leader-wait 1s",
                                 "--delivery-timeout 10s"}) {
    const std::string name = flag.substr(0, flag.find(' '));
    expect_bad_input("run --nodes 3 --ops 10 " + flag, name + ": needs --failover raft, mongodb or kafka");
    const CommandResult ok = replisim("run --nodes 3 --ops 10 --failover mongodb --dry-run " + flag);
    EXPECT_EQ(ok.status, 0) << flag << ": " << ok.err;
  }
  expect_bad_input("run --nodes 3 --ops 10 --failover mongodb --min-leader-refresh 0s", "--min-leader-refresh");
}

}  // namespace client_driver_flags_test
