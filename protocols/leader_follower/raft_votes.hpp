// Leaders elected by Raft's votes, per unit (Ongaro and Ousterhout, USENIX
// ATC 2014, §5.1, §5.2 and §5.4.1), with MongoDB's catch-up as an option
// (FailoverConfig::catch_up). The primary leads term 1 from the start,
// announced by heartbeats, without an election; a follower that hears no
// leader for its election timeout stands for the next term; voters grant
// one vote per term, to candidates whose log is at least as up to date as
// theirs; a leader commits an entry of its own term once a majority holds
// it (§5.4.2). Failures are detected by election timeouts, as Raft and
// MongoDB do: there is no membership oracle.
//
// Its election clock is continuous time (the paper's: a deadline drawn at
// every reset), or with FailoverConfig::ticks etcd's ticks (etcd_ticks.hpp):
// one ticker per node, whose ticks each follower and candidate counts.
#pragma once
#include <optional>

#include "protocols/common/on_demand.hpp"
#include "protocols/common/rng.hpp"
#include "protocols/common/unit_table.hpp"
#include "protocols/leader_follower/elected_leader.hpp"
#include "protocols/leader_follower/etcd_ticks.hpp"

namespace replisim {

class RaftVotes final : public ElectedLeader {
public:
  // With ticks: the node's ticker (every unit's election clock counts it).
  static constexpr TimerId kTickTimer = ~TimerId{1};

  RaftVotes(LeadershipHost& host, NodeId self, const Placement& placement, WriteConcern concern,
            const FailoverConfig& config);

  void start(Ready& out) override;
  void crash() override;
  void recover(Ready& out) override;
  void on_timer(TimerId id, Ready& out) override;  // a unit's election timer (the unit's id), or kTickTimer
  void on(const RequestVote& m, Address from, Ready& out) override;
  void on(const Vote& m, Address from, Ready& out) override;
  void on(const PreVote& m, Address from, Ready& out) override;
  void on(const PreVoteReply& m, Address from, Ready& out) override;
  // A controller's messages never reach a node whose units elect their
  // leaders: every node of a run shares its failover.
  void on(const BrokerHeartbeat& /*m*/, Address /*from*/, Ready& /*out*/) override {}
  void on(const BrokerHeartbeatReply& /*m*/, Address /*from*/, Ready& /*out*/) override {}
  void on(const LeaderAndIsr& /*m*/, Address /*from*/, Ready& /*out*/) override {}
  void on(const AlterPartition& /*m*/, Address /*from*/, Ready& /*out*/) override {}

  void on_leader_heard(UnitState& state, Ready& out) override;
  void on_leader_catching_up(UnitState& state, const EmptyAppend& m, Ready& out) override;
  void on_became_leader(UnitState& state, Ready& out) override;
  void on_became_follower(UnitState& state, Ready& out) override;

  LogIndex commit_index(const UnitState& state) const override;
  bool fails_held_writes(const Leading& /*lead*/) const override { return false; }
  LogIndex rejoin_index(const UnitState& state) const override { return state.vol.commit; }
  void before_heartbeat(UnitState& state, Ready& out) override;

  Time election_deadline(UnitId unit) const override;
  // With ticks, the leader heartbeats at each tick of its ticker.
  Time next_heartbeat(Time now, Time interval) const override;
  // With ticks: the unit's election clock (throws std::out_of_range when
  // the node holds no replica of the unit), and the node's ticker.
  const TickElection& tick_election(UnitId unit) const { return candidacies_.at(unit).ticks; }
  const std::optional<Ticker>& ticker() const { return ticker_; }

private:
  // A unit's election timer and, while a candidate, the votes it holds. Lost on a crash.
  struct Candidacy {
    Time deadline = kNever;  // when this follower or candidate stands next
    Time armed = kNever;     // the deadline of the timer set last
    OnDemand<VoteTally> votes;
    OnDemand<VoteTally> pre_votes;  // while it asks whether it could win (pre-vote)
    Time leader_heard = -kNever;    // when it last heard from a leader of its term
    Time ahead_since = kNever;      // since when it has seen that leader catching up and behind it
    TickElection ticks;             // with ticks: its clock, in ticks
  };

  Candidacy fresh_candidacy() const;
  void on_election_timer(UnitState& state, Ready& out);
  void stand(UnitState& state, Ready& out);
  // With ticks: the node's process starts (a new phase), and its ticker ticks.
  void start_ticker(Ready& out);
  void on_tick(Ready& out);
  // A new term or role (etcd's reset()), and a leader heard or a vote
  // granted: the continuous clock draws a new deadline for both; etcd's
  // draws for the first and only restarts its count for the second.
  void restart_timeout(UnitState& state, Ready& out);
  void restart_count(UnitState& state, Ready& out);
  // etcd's lease with CheckQuorum: it leads, or follows a leader heard
  // from within the shortest election timeout.
  bool in_lease(const UnitState& state) const;
  void campaign(UnitState& state, Ready& out);
  // A candidacy's or pre-candidacy's start: its own vote, and its request to
  // the unit's other replicas.
  VoteTally own_vote(UnitId unit) const;
  template <class Request>
  void ask_the_others(UnitId unit, const Request& request, Ready& out) const
  {
    for (NodeId replica : placement_.replicas(unit))
      if (replica != self_)
        out.send(self(), Address::node(replica), request);
  }
  void pre_campaign(UnitState& state, Ready& out);
  // Whether it heard from a leader less than the shortest election timeout ago.
  bool heard_leader_lately(const UnitState& state) const;
  // Whether the leader no longer sees the majority its step-down rule asks
  // for; a CheckQuorum check also marks its time in the unit's Leading.
  bool lost_majority(UnitState& state);
  void become_leader(UnitState& state, Ready& out);
  void reset_election_deadline(UnitState& state, Ready& out);
  void arm_election_timer(UnitId unit, Candidacy& c, Ready& out);
  void event(RoleEvent::Kind kind, const UnitState& state, Term term);

  FailoverConfig config_;
  Rng rng_;  // election timeouts
  UnitTable<Candidacy> candidacies_;
  std::optional<Ticker> ticker_;  // with ticks
  Time tick_armed_ = kNever;
};

}  // namespace replisim
