// Who leads each unit over a run, and for how long units had no leader: read
// off the model's roles whenever a role changes or a node goes down or comes
// back. What failover is sized by: time without a leader, elections, and how
// leadership left a node and (or not) came back.
#pragma once
#include <functional>
#include <vector>

#include "experiments/core/models/model.hpp"

namespace replisim {

class LeadershipTracker {
public:
  // `alive[n]`: whether node n is up (the run's membership, kept current by the run).
  LeadershipTracker(const Model& model, const std::vector<bool>& alive);

  // Whether two nodes can exchange messages now (both up, no partition or
  // link down between them); without it, any two live nodes can.
  void set_connected(std::function<bool(NodeId, NodeId)> connected) { connected_ = std::move(connected); }

  // The roles may have changed (a role event, a node down or up, the network).
  void changed(Time now);
  // A role event as a node reported it (elections are counted from these).
  void event(const RoleEvent& e);
  // A node paused or resumed: a paused leader leads nothing while the pause
  // lasts (its unit is without a leader that answers), though it still
  // thinks it leads. Call changed() after.
  void set_paused(NodeId node, bool paused);
  // The first fault: leader imbalance before it is kept.
  void fault(Time now);
  // The end of the run: outages still open end here.
  void finish(Time now);

  // Durations (ms) of every interval a unit spent without a leader, ascending.
  const std::vector<double>& outages_ms() const { return outages_ms_; }
  // Durations (ms) of every interval a unit spent without a leader that
  // could commit a write at the run's write concern (Model::replicas_to_commit):
  // no leader, or none that reaches enough live replicas; ascending.
  const std::vector<double>& write_outages_ms() const { return write_outages_ms_; }
  // Each interval a unit spent without a leader, in the order they ended.
  struct Outage {
    UnitId unit;
    Time from;
    Time until;
    NodeId leader_before;  // the leader it lost
    NodeId leader_after;   // the leader it found; kNoNode if the run ended first
  };
  const std::vector<Outage>& outages() const { return outages_; }
  std::uint64_t elections() const { return elections_; }
  std::uint64_t split_votes() const { return split_votes_; }
  // Leader imbalance (max / mean leader units per node) just before the
  // first fault, and once every unit had a leader again after it; NaN when
  // there was no fault, or no leader, or units never all had one again.
  double imbalance_before_fault() const { return before_; }
  double imbalance_after_fault() const { return after_; }
  // The node leading the most units now (the first of equals); kNoNode if none.
  NodeId most_leaders() const;

  // Each node's leader units at every `step` seconds from 0 to `end`: rows
  // of (time, node, leader units).
  struct Sample {
    Time at;
    NodeId node;
    int leader_units;
  };
  std::vector<Sample> timeline(double step, Time end) const;
  // The same rows, one at a time, held nowhere.
  void timeline(double step, Time end, const std::function<void(const Sample&)>& row) const;

private:
  bool responsive(NodeId node) const;
  std::vector<int> leader_units() const;
  void end_outage(UnitId unit, Time now, NodeId leader);
  // Whether one of the unit's live leaders reaches enough replicas to commit.
  bool can_commit(UnitId unit, const std::vector<NodeId>& leaders) const;
  double imbalance() const;

  const Model& model_;
  const std::vector<bool>& alive_;
  std::vector<bool> paused_;            // per node
  std::vector<Time> leaderless_since_;  // per unit; kNever while it has a leader
  std::vector<NodeId> last_leader_;     // per unit: its leader, or the one it lost
  std::vector<Outage> outages_;
  std::vector<bool> tracked_;           // per unit: it had a leader at the start
  std::vector<int> counts_;             // per node: leader units now
  struct Change {
    Time at;
    std::vector<int> counts;
  };
  std::vector<Change> changes_;         // the counts after every change, in time order
  std::vector<double> outages_ms_;
  std::vector<Time> unwritable_since_;  // per unit; kNever while a leader can commit
  std::vector<double> write_outages_ms_;
  std::function<bool(NodeId, NodeId)> connected_;
  std::uint64_t elections_ = 0;
  std::uint64_t split_votes_ = 0;
  bool faulted_ = false;
  bool recovered_ = false;
  double before_;
  double after_;
};

}  // namespace replisim
