// Kafka's controller: the one broker that decides who leads each partition
// (Kafka does not elect partition leaders by voting). Modelled on KRaft's
// active controller (KIP-500, KIP-631), whose preferred-leader rebalance
// (QuorumController's maybeBalancePartitionLeaders) moves back every
// partition it can, or on the ZooKeeper-era controller, whose rebalance
// (KafkaController.checkAndTriggerAutoLeaderRebalance) is gated per broker
// by leader.imbalance.per.broker.percentage (KafkaControllerConfig::mode):
//  - Brokers heartbeat it every broker.heartbeat.interval.ms; it fences a
//    broker it has not heard from for broker.session.timeout.ms.
//  - Fencing a broker removes it from every ISR and, for each partition it
//    led, makes the first replica in assignment order that is live (not
//    fenced) and in the ISR the leader at the next leader epoch. With no such
//    replica the partition stays leaderless (unclean.leader.election.enable
//    = false) and its ISR keeps its last members, which alone may lead it
//    again: an ISR never becomes empty.
//  - A partition leader proposes ISR changes (AlterPartition); the controller
//    takes one made against the partition's current version, and never adds
//    a fenced broker.
//  - A fenced broker that heartbeats again is unfenced and sent the state of
//    its partitions; it leads again only where it is the last ISR member of a
//    leaderless partition, or when a rebalance gives it its preferred
//    partitions back: every leader.imbalance.check.interval.seconds, each
//    partition whose preferred replica is live and in the ISR goes back to
//    it (ZooKeeper mode: only a broker whose share of partitions preferring
//    it but led elsewhere is above leader.imbalance.per.broker.percentage
//    gets them back).
//  - A broker back from a crash before its session expired (a new broker
//    incarnation, in KRaft) leads nothing: the controller moves its
//    partitions and drops it from their ISRs as if it had been fenced.
//  - Every decision bumps the partition's version (Kafka's partition epoch)
//    and goes to every live replica of the partition in a LeaderAndIsr,
//    numbered per broker; a broker's heartbeat says how many it received in
//    order, and one that missed some is sent the state of all its partitions.
//
// Simplifications, stated:
//  - No ZooKeeper and no controller quorum. The controller is node 0 at the
//    start; a broker that has no answer from its controller for a session
//    timeout turns to the next node id (see ControllerFinder), so the lowest
//    live node takes over once it notices, and tells every node. Control does
//    not move back when a lower node returns (KRaft's active controller
//    stays too). Should two nodes take over at once, the higher id steps
//    down when it hears of the lower.
//  - KRaft replicates the controller's decisions in a metadata log, so a new
//    active controller has them all. Here a new controller rebuilds its view
//    from the brokers' registrations: each broker reports the last state it
//    was sent for each of its partitions (kept on disk, as KRaft brokers keep
//    the metadata log) and its own term of the unit; per partition the
//    newest report wins, and nothing is decided for a partition until each
//    replica has reported or been fenced. A broker back from a crash does not
//    vouch for its own ISR membership while a replica has not reported. The
//    controllers found silent are fenced as soon as their successor takes
//    over (it waited a session timeout for them); the other brokers get a
//    session timeout from the takeover to register.
//  - What that cannot recover: a decision that only brokers now down had
//    received (the controller failed together with them). A new controller
//    can then choose from a stale ISR, or name an epoch that such a broker
//    already led: a leader that lacks acknowledged writes, or two leaders at
//    one epoch. Broker failures while the controller is up lose nothing
//    (tested over random schedules); a controller failure loses nothing
//    while the other brokers stay up until its successor has their
//    registrations.
//  - No controller quorum log, but its rule (KIP-595): the controller decides
//    (fences, approves an ISR change, elects, rebalances) only while it has
//    heard from a majority of the nodes, itself included, within the quorum
//    window (KafkaControllerConfig::quorum_window), as a KRaft controller's
//    records commit only on a majority of voters; a controller that has not
//    heard from a majority for that long since it took over resigns
//    (KafkaControlled). A controller cut off in a minority thus decides
//    nothing while the majority's new controller takes over: two nodes can
//    be active for a while, but only one of them decides.
//  - Channels that deliver in order, with delays well under the session
//    timeout.
#pragma once
#include <map>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "protocols/kafka/kafka_controller_config.hpp"
#include "protocols/common/messages.hpp"
#include "protocols/common/placement.hpp"
#include "protocols/common/state_machine.hpp"

namespace replisim {

// A partition as placed: its preferred leader leads epoch 1 (version 1),
// every replica in sync.
PartitionState placed_state(const Placement& placement, UnitId unit);

// Kafka's leader choice: the first of `replicas` (assignment order) that is
// in `isr` and not fenced; kNoNode if none.
NodeId first_live_in_sync(std::span<const NodeId> replicas, const std::vector<NodeId>& isr,
                          const std::vector<bool>& fenced);

// The members of `isr` that are replicas, in assignment order.
std::vector<NodeId> in_assignment_order(std::span<const NodeId> replicas, const std::vector<NodeId>& isr);

// Per broker, the percentage of the partitions whose preferred leader (first
// replica) it is that `leaders` (per unit; kNoNode: none) puts elsewhere; 0
// for a broker preferred by none.
std::vector<double> leader_imbalance_pct(const Placement& placement, const std::vector<NodeId>& leaders);

// The preferred-leader elections a rebalance check runs: the partitions led
// elsewhere while their preferred replica is not fenced and is in the ISR;
// with `max_pct` (the ZooKeeper controller), only those of brokers whose
// imbalance is above it; without (KRaft), all of them.
std::vector<UnitId> preferred_leader_elections(const Placement& placement, const std::vector<PartitionState>& view,
                                               const std::vector<bool>& fenced, std::optional<double> max_pct);

class KafkaController {
public:
  KafkaController(NodeId self, const Placement& placement, const KafkaControllerConfig& config);

  bool active() const { return active_; }
  // Node 0 at the start of the run: each partition led by its preferred
  // leader at epoch 1 with every replica in sync, every broker registered.
  void start(Time now);
  // This node takes over: the controllers in `silent` are fenced at once,
  // then its own registration (`own`) is taken as any broker's.
  void take_over(Time now, const std::vector<NodeId>& silent, const BrokerHeartbeat& own);
  void stop();  // the node crashed: everything is lost

  // Returns whether the controller holds the broker's registration.
  bool on_heartbeat(NodeId broker, const BrokerHeartbeat& m, Time now);
  void on_alter_partition(NodeId leader, const AlterPartition& m, Time now);
  // Fences the brokers silent for a session timeout and runs a due rebalance check.
  void on_timer(Time now);
  // When on_timer next has something to do (kNever while inactive).
  Time deadline() const;
  // Heard from a majority of the nodes (itself included) within the quorum
  // window: only then does it decide anything.
  bool has_quorum(Time now) const;
  // No quorum for a quorum window since it took over: it is to resign (KIP-595).
  bool resigns(Time now) const { return active_ && !has_quorum(now) && now >= activated_ + config_.quorum_window(); }

  // The decisions since the last call: per broker, the new states of its
  // partitions, numbered in the broker's sequence.
  std::map<NodeId, LeaderAndIsr> take_announcements();
  // An election_started event per leader it chose (node: the new leader, term: its epoch).
  std::vector<RoleEvent> take_elections() { return std::exchange(elections_, {}); }

  // The controller's view (while active).
  const PartitionState& partition(UnitId unit) const { return view_.at(static_cast<std::size_t>(unit)); }
  bool fenced(NodeId broker) const { return brokers_.at(static_cast<std::size_t>(broker)).fenced; }
  bool registered(NodeId broker) const { return brokers_.at(static_cast<std::size_t>(broker)).registered; }

private:
  struct Broker {
    Time last_heard = 0;
    Time contact = -kNever;  // its last message (not the takeover's assumption)
    bool fenced = false;
    bool registered = false;
    std::uint64_t sent = 0;  // LeaderAndIsr messages
  };

  void activate(Time now);
  bool known(UnitId unit) const { return partition(unit).version != 0; }
  bool ready(UnitId unit) const;
  std::vector<bool> fenced_brokers() const;
  void merge(NodeId broker, const std::vector<ReplicaReport>& report);
  void unfence(NodeId broker);
  void send_all_states(NodeId broker);
  void settle(UnitId unit);
  void settle_units_of(NodeId broker);
  void change(UnitId unit, NodeId leader, std::vector<NodeId> isr, bool new_epoch, bool vetted);
  void rebalance();
  Time quorum_expiry() const;

  NodeId self_;
  const Placement& placement_;
  KafkaControllerConfig config_;
  bool active_ = false;
  Time now_ = 0;
  Time activated_ = 0;
  std::vector<PartitionState> view_;  // per unit
  std::vector<Term> reported_term_;   // per unit: the highest term a broker reported
  std::vector<std::vector<NodeId>> restarted_;  // per unit: replicas back from a crash since its last decision
  std::vector<NodeId> sole_source_;  // per unit: the one broker whose report the view is (kNoNode: none)
  std::vector<Broker> brokers_;
  Time next_check_ = kNever;  // the next preferred-leader rebalance check
  std::map<NodeId, LeaderAndIsr> outbox_;
  std::vector<RoleEvent> elections_;
};

}  // namespace replisim
