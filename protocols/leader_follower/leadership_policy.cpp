// The one place that reads which system a node models: every other line of
// LeaderFollowerNode asks its policy.
#include "protocols/leader_follower/leadership_policy.hpp"

#include "protocols/leader_follower/fixed_leader.hpp"
#include "protocols/leader_follower/kafka_controlled.hpp"
#include "protocols/leader_follower/raft_votes.hpp"

#include <stdexcept>
#include <type_traits>

namespace replisim {

void LeadershipPolicy::step(const Envelope& in, Ready& out)
{
  std::visit(
      [&](const auto& m) {
        if constexpr (Messages::contains<std::decay_t<decltype(m)>>)
          on(m, in.from, out);
        else
          throw std::logic_error("LeadershipPolicy::step: not a message of who leads");
      },
      in.message);
}

std::unique_ptr<LeadershipPolicy> make_leadership_policy(LeadershipHost& host, NodeId self,
                                                         const Placement& placement, WriteConcern concern,
                                                         int min_insync, const FailoverConfig& failover)
{
  if (!failover.enabled)
    return std::make_unique<FixedLeader>(host, self, placement, concern);
  if (failover.controller.enabled)
    return std::make_unique<KafkaControlled>(host, self, placement, concern, min_insync, failover);
  return std::make_unique<RaftVotes>(host, self, placement, concern, failover);
}

}  // namespace replisim
