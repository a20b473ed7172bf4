// make_leadership_policy (protocols/leader_follower/leadership_policy.hpp):
// the one place where a node's FailoverConfig picks who leads.
#include "protocols/leader_follower/leadership_policy.hpp"

#include <gtest/gtest.h>

#include "support/fake_host.hpp"
#include "protocols/leader_follower/fixed_leader.hpp"
#include "protocols/leader_follower/kafka_controlled.hpp"
#include "protocols/leader_follower/raft_votes.hpp"

namespace replisim {
namespace leadership_policy_test {

template <typename Policy>
bool picks(const FailoverConfig& failover)
{
  const Placement placement = leader_follower_placement(3, 3);
  test::FakeHost host(placement, 1);
  const auto policy = make_leadership_policy(host, 1, placement, WriteConcern::majority, 1, failover);
  return dynamic_cast<const Policy*>(policy.get()) != nullptr;
}

TEST(LeadershipPolicyTest, WithoutFailoverTheLeaderIsFixed)
{
  EXPECT_TRUE(picks<FixedLeader>(FailoverConfig::none()));
}

TEST(LeadershipPolicyTest, RaftAndMongoDbFailoverElectByVotes)
{
  EXPECT_TRUE(picks<RaftVotes>(FailoverConfig::raft(0.15, 0.3, 0.05, 1)));
  EXPECT_TRUE(picks<RaftVotes>(FailoverConfig::mongodb(1)));
}

TEST(LeadershipPolicyTest, KafkaFailoverLeavesTheChoiceToAController)
{
  EXPECT_TRUE(picks<KafkaControlled>(FailoverConfig::kafka(1)));
}

TEST(LeadershipPolicyTest, OnlyAFixedLeaderNeverChanges)
{
  const Placement placement = leader_follower_placement(3, 3);
  test::FakeHost host(placement, 1);
  for (const FailoverConfig& failover :
       {FailoverConfig::none(), FailoverConfig::raft(0.15, 0.3, 0.05, 1), FailoverConfig::kafka(1)})
    EXPECT_EQ(make_leadership_policy(host, 1, placement, WriteConcern::majority, 1, failover)->leaders_change(),
              failover.enabled);
}

}  // namespace leadership_policy_test
}  // namespace replisim
