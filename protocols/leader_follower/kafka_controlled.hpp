// Leaders chosen by a Kafka controller (FailoverConfig::kafka): no votes and
// no election timers. One node, the controller (kafka_controller.hpp),
// chooses each partition's leader and its epoch (the unit's term) and sends
// them in LeaderAndIsr messages; every node is also a broker that heartbeats
// the controller. What differs from Raft's votes, the appends being the same:
//  - The ISR is the controller's: a leader proposes changes (AlterPartition)
//    at its heartbeats, adds a follower that caught up (to the high
//    watermark and past the start of the leader's epoch) to its own in-sync
//    set at once but drops one only once the controller has, so that every
//    replica the controller may choose holds every acknowledged write. A
//    follower is found out of sync by the broker's ISR check (Kafka's
//    ReplicaManager.maybeShrinkIsr), scheduled every replica_lag_max / 2
//    from the broker's start at a phase drawn from the seed: one silent
//    since t leaves the ISR at the first check after t + replica_lag_max,
//    30–45 s later with Kafka's defaults, plus the AlterPartition round trip.
//  - The commit index is Kafka's high watermark: the entries every in-sync
//    replica holds (majority is not a Kafka setting and acts as all). A
//    write whose ISR shrank below min_insync by the time it is held fails
//    (Kafka's NOT_ENOUGH_REPLICAS_AFTER_APPEND).
//  - recover() comes back leading nothing and registers with the controller.
#pragma once
#include <map>

#include "protocols/common/rng.hpp"
#include "protocols/common/unit_table.hpp"
#include "protocols/kafka/controller_finder.hpp"
#include "protocols/kafka/kafka_controller.hpp"
#include "protocols/leader_follower/elected_leader.hpp"

namespace replisim {

class KafkaControlled final : public ElectedLeader {
public:
  static constexpr TimerId kBrokerTimer = ~TimerId{1};      // a broker's heartbeat to its controller
  static constexpr TimerId kControllerTimer = ~TimerId{2};  // the controller's fencing and rebalance checks
  static constexpr TimerId kIsrTimer = ~TimerId{3};         // the broker's ISR check of the partitions it leads

  KafkaControlled(LeadershipHost& host, NodeId self, const Placement& placement, WriteConcern concern,
                  int min_insync, const FailoverConfig& config);

  void start(Ready& out) override;
  void crash() override;
  void recover(Ready& out) override;
  void on_timer(TimerId id, Ready& out) override;
  void on(const BrokerHeartbeat& m, Address from, Ready& out) override;
  void on(const BrokerHeartbeatReply& m, Address from, Ready& out) override;
  void on(const LeaderAndIsr& m, Address from, Ready& out) override;
  void on(const AlterPartition& m, Address from, Ready& out) override;
  // No votes: the controller chooses leaders, and every node of a run shares its failover.
  void on(const RequestVote& /*m*/, Address /*from*/, Ready& /*out*/) override {}
  void on(const Vote& /*m*/, Address /*from*/, Ready& /*out*/) override {}
  void on(const PreVote& /*m*/, Address /*from*/, Ready& /*out*/) override {}
  void on(const PreVoteReply& /*m*/, Address /*from*/, Ready& /*out*/) override {}

  LogIndex commit_index(const UnitState& state) const override;
  bool fails_held_writes(const Leading& lead) const override;
  LogIndex rejoin_index(const UnitState& state) const override;
  void after_heartbeats(const std::vector<UnitId>& led, Ready& out) override;

  const KafkaController* controller() const override { return &controller_; }

private:

  void broker_tick(Ready& out);
  void send_broker_heartbeat(Ready& out);
  void arm_broker_heartbeat(Ready& out);
  BrokerHeartbeat registration() const;
  void take_over(Ready& out);
  void resign(Ready& out);
  void controller_tick(Ready& out);
  void publish(Ready& out);
  void apply_partition(UnitState& state, const PartitionState& decided, Ready& out);
  void lead_epoch(UnitState& state, Term epoch, Ready& out);
  void adopt_isr(UnitState& state);
  void start_isr_checks(Ready& out);
  void isr_check(Ready& out);
  void propose_isr(const std::vector<UnitId>& led, Ready& out);

  int min_insync_;
  FailoverConfig config_;
  // Per unit, the state the controller last sent: it survives a crash, as
  // KRaft brokers keep the metadata log on disk.
  UnitTable<PartitionState> known_;
  KafkaController controller_;  // active on the controller's node only
  ControllerFinder finder_;
  Time broker_armed_ = kNever;
  Time controller_armed_ = kNever;
  // The ISR check: its phase is drawn at each start of the broker.
  Rng isr_rng_;
  Time isr_armed_ = kNever;
  // Per unit led, the followers the last ISR check found out of sync: they
  // are proposed for removal until they are heard from again.
  std::map<UnitId, std::vector<NodeId>> out_of_sync_;
};

}  // namespace replisim
