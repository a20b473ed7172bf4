#include "protocols/leader_follower/raft_votes.hpp"

namespace replisim {

RaftVotes::RaftVotes(LeadershipHost& host, NodeId self, const Placement& placement, WriteConcern concern,
                     const FailoverConfig& config)
    : ElectedLeader(host, self, placement, concern), config_(config),
      rng_(derive_seed(config.seed, static_cast<std::uint64_t>(self)))
{
  candidacies_.reserve(placement.units_of(self).size());
  if (config_.ticks)
    ticker_ = Ticker{0, config_.heartbeat_interval};
  for (UnitId unit : placement.units_of(self))
    candidacies_[unit] = fresh_candidacy();
}

RaftVotes::Candidacy RaftVotes::fresh_candidacy() const
{
  Candidacy c;
  if (ticker_)
    c.ticks = TickElection(election_ticks(config_));
  return c;
}


// The primaries lead term 1 as placed and announce it with their first
// heartbeats; every follower arms its election timer.
void RaftVotes::start(Ready& out)
{
  start_ticker(out);
  std::vector<UnitId> led;
  for (UnitId unit : placement_.units_of(self_)) {
    UnitState& state = host_.unit(unit);
    if (state.vol.role == ReplicaRole::leader) {
      host_.take_lead(state, out);
      led.push_back(unit);
    } else {
      restart_timeout(state, out);
    }
  }
  host_.send_heartbeats(led, out);
}

// etcd's raftNode ticks its raft every heartbeat interval from when its
// process started: each node's ticker has its own phase, drawn here.
void RaftVotes::start_ticker(Ready& out)
{
  if (!ticker_)
    return;
  ticker_->origin = host_.now() + ticker_->tick * rng_.uniform();
  tick_armed_ = ticker_->next_after(host_.now());
  out.set_timer(kTickTimer, tick_armed_);
}

void RaftVotes::crash()
{
  for (auto& [unit, c] : candidacies_)
    c = fresh_candidacy();
  tick_armed_ = kNever;
}

// Back as a follower of the durable term, with a fresh election timer.
// A restarted etcd process has a new ticker.
void RaftVotes::recover(Ready& out)
{
  start_ticker(out);
  for (UnitId unit : placement_.units_of(self_)) {
    candidacies_.at(unit) = fresh_candidacy();
    restart_timeout(host_.unit(unit), out);
  }
}

void RaftVotes::on_timer(TimerId id, Ready& out)
{
  if (id == kTickTimer)
    on_tick(out);
  else if (UnitState* state = host_.find_unit(static_cast<UnitId>(id)))
    on_election_timer(*state, out);
}

// raft.go's tickElection, for every unit this node follows or stands for:
// electionElapsed++, and past the randomized timeout a MsgHup (a campaign,
// or a pre-campaign with PreVote). A leader's ticks are its heartbeats
// (before_heartbeat). A tick that fell due while the node was paused comes
// once, now, and the next is the first of its phase after now.
void RaftVotes::on_tick(Ready& out)
{
  if (host_.now() < tick_armed_)
    return;  // superseded by a crash and restart
  for (UnitId unit : placement_.units_of(self_)) {
    UnitState& state = host_.unit(unit);
    if (state.vol.role != ReplicaRole::leader && candidacies_.at(unit).ticks.tick())
      stand(state, out);
  }
  tick_armed_ = ticker_->next_after(host_.now());
  out.set_timer(kTickTimer, tick_armed_);
}

void RaftVotes::stand(UnitState& state, Ready& out)
{
  if (config_.pre_vote)
    pre_campaign(state, out);
  else
    campaign(state, out);
}

// §5.2: "If a follower receives no communication over a period of time called
// the election timeout, then it assumes there is no viable leader and begins
// an election." The timer is armed at most once per deadline: a reset only
// moves the deadline, and the timer, when it fires early, re-arms for it (so
// a follower busy with appends is not re-timed per message). A firing older
// than the timer armed last is stale and ignored.
void RaftVotes::on_election_timer(UnitState& state, Ready& out)
{
  Candidacy& c = candidacies_.at(state.id);
  if (host_.now() < c.armed)
    return;
  c.armed = kNever;
  if (state.vol.role == ReplicaRole::leader)
    return;
  if (host_.now() < c.deadline)
    arm_election_timer(state.id, c, out);
  else
    stand(state, out);
}

void RaftVotes::on_leader_heard(UnitState& state, Ready& out)
{
  Candidacy& c = candidacies_.at(state.id);
  c.leader_heard = host_.now();
  c.pre_votes.reset();
  restart_count(state, out);
}

// MongoDB's catch-up takeover (catchUpTakeoverDelayMillis, 30 s): a member
// more up to date than a primary still catching up, which has not copied
// from it, calls an election once it has seen it so for the delay. The
// election is a real one, without a dry run: its voters still hear the
// primary, and would refuse a pre-vote.
void RaftVotes::on_leader_catching_up(UnitState& state, const EmptyAppend& m, Ready& out)
{
  Candidacy& c = candidacies_.at(state.id);
  const Log& log = state.durable.log;
  const bool ahead = m.catching_up && config_.catch_up_takeover_delay != kNever &&
                     !candidate_up_to_date(m.leader_last_term, m.leader_last_index, last_term(log), last_index(log));
  if (!ahead) {
    c.ahead_since = kNever;
    return;
  }
  if (c.ahead_since == kNever)
    c.ahead_since = host_.now();
  else if (host_.now() - c.ahead_since >= config_.catch_up_takeover_delay)
    campaign(state, out);
}

// With ticks, raft.go's `r.electionElapsed < r.electionTimeout`: whole ticks
// of this node's ticker, so a lease can end up to a tick early.
bool RaftVotes::heard_leader_lately(const UnitState& state) const
{
  const Candidacy& c = candidacies_.at(state.id);
  if (ticker_)
    return c.ticks.in_lease();
  return host_.now() - c.leader_heard < config_.election_timeout_min;
}

bool RaftVotes::in_lease(const UnitState& state) const
{
  return state.vol.role == ReplicaRole::leader || (state.vol.leader != kNoNode && heard_leader_lately(state));
}

void RaftVotes::restart_timeout(UnitState& state, Ready& out)
{
  if (ticker_)
    candidacies_.at(state.id).ticks.reset(rng_);
  else
    reset_election_deadline(state, out);
}

void RaftVotes::restart_count(UnitState& state, Ready& out)
{
  if (ticker_)
    candidacies_.at(state.id).ticks.heard();
  else
    reset_election_deadline(state, out);
}

// "Raft uses randomized election timeouts ... chosen randomly from a fixed
// interval", drawn afresh at every reset.
void RaftVotes::reset_election_deadline(UnitState& state, Ready& out)
{
  Candidacy& c = candidacies_.at(state.id);
  c.deadline = host_.now() + draw_election_timeout(rng_, config_.election_timeout_min, config_.election_timeout_max);
  arm_election_timer(state.id, c, out);
}

void RaftVotes::arm_election_timer(UnitId unit, Candidacy& c, Ready& out)
{
  if (c.armed <= c.deadline)
    return;  // the armed timer fires first and re-arms
  c.armed = c.deadline;
  out.set_timer(static_cast<TimerId>(unit), c.deadline);
}

// With ticks: the tick at which it stands if it hears nothing until then.
Time RaftVotes::election_deadline(UnitId unit) const
{
  auto it = candidacies_.find(unit);
  if (it == candidacies_.end())
    return kNever;
  if (!ticker_)
    return it->second.deadline;
  const UnitState* state = host_.find_unit(unit);
  if (state == nullptr || state->vol.role == ReplicaRole::leader || tick_armed_ == kNever)
    return kNever;
  const TickElection& t = it->second.ticks;
  return tick_armed_ + (t.randomized() - t.elapsed() - 1) * ticker_->tick;
}

Time RaftVotes::next_heartbeat(Time now, Time interval) const
{
  return ticker_ ? ticker_->next_after(now) : now + interval;
}

void RaftVotes::on_became_leader(UnitState& state, Ready& out)
{
  Candidacy& c = candidacies_.at(state.id);
  c.votes.reset();
  c.pre_votes.reset();
  c.ahead_since = kNever;
  c.deadline = kNever;
  if (ticker_)
    c.ticks.reset(rng_);  // becomeLeader's reset(): its count towards CheckQuorum
  if (c.armed != kNever) {
    out.cancel_timer(static_cast<TimerId>(state.id));
    c.armed = kNever;
  }
}

// A follower that only learns a newer term keeps its election deadline: only
// a leader's append or a granted vote resets it. etcd's becomeFollower
// resets its clock and draws a new timeout, whatever the term.
void RaftVotes::on_became_follower(UnitState& state, Ready& out)
{
  Candidacy& c = candidacies_.at(state.id);
  c.votes.reset();
  c.pre_votes.reset();
  c.ahead_since = kNever;
  if (ticker_)
    c.ticks.reset(rng_);
  else if (c.deadline == kNever)
    reset_election_deadline(state, out);
}

LogIndex RaftVotes::commit_index(const UnitState& state) const
{
  return leader_commit(match_indexes(state.vol.lead->replicas), state.durable.log, state.durable.term,
                       state.vol.commit);
}

// Kafka's ISR rule for acks=all, kept by the leader itself: a follower not
// heard from for replica_lag_max leaves the in-sync set, which may let writes
// waiting for it be acknowledged.
void RaftVotes::before_heartbeat(UnitState& state, Ready& out)
{
  if (lost_majority(state)) {
    host_.become_follower(state, state.durable.term, kNoNode, out);
    return;
  }
  const auto set = placement_.replicas(state.id);
  auto& replicas = state.vol.lead->replicas;
  bool shrank = false;
  for (std::size_t i = 0; i < replicas.size(); ++i) {
    if (set[i] == self_ || !replicas[i].in_sync || replicas[i].heard_within(config_.replica_lag_max, host_.now()))
      continue;
    replicas[i].in_sync = false;
    shrank = true;
  }
  if (shrank)
    host_.acknowledge_committed(state, out);
}

// Whether a leader steps down for want of a majority (StepDown). etcd's
// CheckQuorum (raft.go, stepLeader's MsgCheckQuorum): every election timeout
// the leader counts the replicas active since the last check, itself
// included, and clears the marks; here the check runs at the first
// heartbeat one shortest election timeout after the last. MongoDB: a member
// whose heartbeat has not answered for electionTimeoutMillis is down, and a
// primary that cannot see a majority of the voting members steps down
// (MongoDB manual, "Replica Set Elections"; checked as heartbeats come back).
bool RaftVotes::lost_majority(UnitState& state)
{
  Leading& lead = state.vol.lead.get();
  const Time now = host_.now();
  const auto set = placement_.replicas(state.id);
  int seen = 0;
  switch (config_.step_down) {
    case StepDown::never: return false;
    case StepDown::check_quorum: {
      // etcd's tickHeartbeat: the check comes every electionTimeout ticks.
      if (ticker_ ? !candidacies_.at(state.id).ticks.quorum_check_due()
                  : now - lead.quorum_checked < config_.election_timeout_min)
        return false;
      for (std::size_t i = 0; i < set.size(); ++i)
        seen += set[i] == self_ || lead.replicas[i].last_heard > lead.quorum_checked ? 1 : 0;
      lead.quorum_checked = now;
      break;
    }
    case StepDown::member_timeout:
      for (std::size_t i = 0; i < set.size(); ++i)
        seen += set[i] == self_ || lead.replicas[i].heard_within(config_.election_timeout_min, now) ? 1 : 0;
      break;
  }
  return seen < majority(static_cast<int>(set.size()));
}

// Raft thesis §9.6: "a candidate would first ask other servers whether its
// log was up-to-date enough to get their vote. Only if the candidate believed
// it could get votes from a majority of the cluster would it increment its
// term and start a normal election." MongoDB's pv1 does the same as a dry run
// ("conducting a dry run election"). The term is not raised: a node that
// cannot win disturbs nobody, however often its timeout fires. A candidate
// whose election timed out asks again before its next term.
void RaftVotes::pre_campaign(UnitState& state, Ready& out)
{
  if (state.vol.role == ReplicaRole::candidate)
    host_.become_follower(state, state.durable.term, kNoNode, out);  // a split vote, reported as such
  const Durable& d = state.durable;
  OnDemand<VoteTally>& pre = candidacies_.at(state.id).pre_votes;
  pre = own_vote(state.id);
  if (!ticker_)
    reset_election_deadline(state, out);  // etcd's becomePreCandidate keeps its clock (tickElection zeroed it)
  ask_the_others(state.id, PreVote{d.term + 1, state.id, last_index(d.log), last_term(d.log)}, out);
  if (pre->won())
    campaign(state, out);  // a unit of one replica
}

// A voter answers a pre-vote as it would the vote, without changing its term
// or its vote (etcd's Step for MsgPreVote), and refuses it while it heard
// from a leader within the shortest election timeout, or leads itself: a
// node that rejoins with an up-to-date log cannot depose a healthy leader.
void RaftVotes::on(const PreVote& m, Address from, Ready& out)
{
  UnitState* state = host_.find_unit(m.unit);
  if (state == nullptr)
    return;
  const Durable& d = state->durable;
  const Volatile& vol = state->vol;
  const bool up_to_date = candidate_up_to_date(m.last_term, m.last_index, last_term(d.log), last_index(d.log));
  const bool free = m.term > d.term || (m.term == d.term && vol.leader == kNoNode &&
                                        grants_vote(d.voted_for, from.index, true));
  if (ticker_) {
    // etcd's Step: in its lease (CheckQuorum is always on) the request is
    // ignored, unanswered; otherwise canVote and the log decide.
    if (m.term > d.term && in_lease(*state))
      return;
    const bool grant = up_to_date && free && vol.role != ReplicaRole::leader;
    out.send(self(), from, PreVoteReply{grant ? m.term : d.term, m.unit, grant});
    return;
  }
  const bool grant = up_to_date && free && vol.role != ReplicaRole::leader && !heard_leader_lately(*state);
  out.send(self(), from, PreVoteReply{grant ? m.term : d.term, m.unit, grant});
}

void RaftVotes::on(const PreVoteReply& m, Address from, Ready& out)
{
  UnitState* state = host_.find_unit(m.unit);
  if (state == nullptr)
    return;
  if (!m.granted && m.term > state->durable.term) {
    host_.become_follower(*state, m.term, kNoNode, out);
    return;
  }
  OnDemand<VoteTally>& pre = candidacies_.at(state->id).pre_votes;
  const int voter = placement_.position(m.unit, from.index);
  if (pre.empty() || !m.granted || m.term != state->durable.term + 1 || voter < 0)
    return;
  pre->grant(voter);
  if (pre->won())
    campaign(*state, out);
}

// §5.2: "To begin an election, a follower increments its current term and
// transitions to candidate state. It then votes for itself and issues
// RequestVote RPCs in parallel to each of the other servers." A candidate
// whose timeout passes without a majority has lost (a split vote) and starts
// the next term's election with a new random timeout.
void RaftVotes::campaign(UnitState& state, Ready& out)
{
  Durable& d = state.durable;
  Volatile& vol = state.vol;
  candidacies_.at(state.id).pre_votes.reset();
  candidacies_.at(state.id).ahead_since = kNever;
  if (vol.role == ReplicaRole::candidate)
    event(RoleEvent::Kind::election_lost, state, d.term);
  ++d.term;
  d.voted_for = self_;
  ++out.persist;
  vol.role = ReplicaRole::candidate;
  vol.leader = kNoNode;
  vol.verified = 0;
  vol.early.clear();
  OnDemand<VoteTally>& votes = candidacies_.at(state.id).votes;
  votes = own_vote(state.id);
  event(RoleEvent::Kind::election_started, state, d.term);
  restart_timeout(state, out);
  ask_the_others(state.id, RequestVote{d.term, state.id, last_index(d.log), last_term(d.log)}, out);
  if (votes->won())
    become_leader(state, out);  // a unit of one replica
}

// §5.2 and §5.4.1: one vote per term, first come first served, and only for a
// candidate whose log is at least as up to date; granting it resets the
// election timer.
void RaftVotes::on(const RequestVote& m, Address from, Ready& out)
{
  UnitState* state = host_.find_unit(m.unit);
  if (state == nullptr)
    return;
  Durable& d = state->durable;
  // etcd's lease with CheckQuorum: a replica that heard from its leader
  // within the shortest election timeout (or leads) ignores the request,
  // term included, so that a node cut off and back cannot depose a leader
  // that a majority still follows (raft.go's Step: `inLease :=
  // r.checkQuorum && r.lead != None && r.electionElapsed < r.electionTimeout`).
  if (config_.step_down == StepDown::check_quorum && m.term > d.term && in_lease(*state))
    return;
  if (m.term > d.term)
    host_.become_follower(*state, m.term, kNoNode, out);
  const bool up_to_date = candidate_up_to_date(m.last_term, m.last_index, last_term(d.log), last_index(d.log));
  const bool grant = m.term == d.term && grants_vote(d.voted_for, from.index, up_to_date);
  if (grant) {
    if (d.voted_for != from.index)
      ++out.persist;
    d.voted_for = from.index;
    restart_count(*state, out);  // etcd: electionElapsed = 0
  }
  out.send(self(), from, Vote{d.term, m.unit, grant});
}

// §5.2: "A candidate wins an election if it receives votes from a majority of
// the servers in the full cluster for the same term."
void RaftVotes::on(const Vote& m, Address from, Ready& out)
{
  UnitState* state = host_.find_unit(m.unit);
  if (state == nullptr)
    return;
  if (m.term > state->durable.term) {
    host_.become_follower(*state, m.term, kNoNode, out);
    return;
  }
  const int voter = placement_.position(m.unit, from.index);
  if (state->vol.role != ReplicaRole::candidate || m.term != state->durable.term || !m.granted || voter < 0)
    return;
  OnDemand<VoteTally>& votes = candidacies_.at(state->id).votes;
  votes->grant(voter);
  if (votes->won())
    become_leader(*state, out);
}

// "Once a candidate wins an election, it becomes leader. It then sends
// heartbeat messages to all of the other servers": Raft's leader opens its
// term with a no-op append (§8), which is that first heartbeat; MongoDB's
// first catches up, with heartbeats, before it writes.
void RaftVotes::become_leader(UnitState& state, Ready& out)
{
  host_.take_lead(state, out);
  if (config_.catch_up)
    host_.catch_up(state, out);
  else
    host_.start_writing(state, out);
}

void RaftVotes::event(RoleEvent::Kind kind, const UnitState& state, Term term)
{
  host_.report_role(RoleEvent{kind, state.id, self_, term, host_.now()});
}

VoteTally RaftVotes::own_vote(UnitId unit) const
{
  VoteTally tally(static_cast<int>(placement_.replicas(unit).size()));
  tally.grant(placement_.position(unit, self_));
  return tally;
}

}  // namespace replisim
