// Terms, votes and roles with failover on (Ongaro and Ousterhout, USENIX ATC
// 2014, §5.1, §5.2 and §5.4.1): election timers, candidacies, the vote a
// replica grants, and the transitions between follower, candidate and leader.
#include "protocols/leader_follower/leader_follower.hpp"

namespace replisim {

void LeaderFollowerNode::event(RoleEvent::Kind kind, const UnitState& state, Term term)
{
  report(RoleEvent{kind, state.id, self_, term, now_});
}

// §5.2: "If a follower receives no communication over a period of time called
// the election timeout, then it assumes there is no viable leader and begins
// an election." The timer is armed at most once per deadline: a reset only
// moves the deadline, and the timer, when it fires early, re-arms for it (so
// a follower busy with appends is not re-timed per message). A firing older
// than the timer armed last is stale and ignored.
void LeaderFollowerNode::on_election_timer(UnitState& state, Ready& out)
{
  Volatile& vol = state.vol;
  if (now_ < vol.timer_armed)
    return;
  vol.timer_armed = kNever;
  if (vol.role == ReplicaRole::leader)
    return;
  if (now_ < vol.election_deadline)
    arm_election_timer(state, out);
  else
    campaign(state, out);
}

// "Raft uses randomized election timeouts ... chosen randomly from a fixed
// interval", drawn afresh at every reset.
void LeaderFollowerNode::reset_election_deadline(UnitState& state, Ready& out)
{
  if (!voting())
    return;  // a controller decides: no timer, and nothing drawn
  state.vol.election_deadline =
      now_ + draw_election_timeout(rng_, failover_.election_timeout_min, failover_.election_timeout_max);
  arm_election_timer(state, out);
}

void LeaderFollowerNode::arm_election_timer(UnitState& state, Ready& out)
{
  Volatile& vol = state.vol;
  if (vol.timer_armed <= vol.election_deadline)
    return;  // the armed timer fires first and re-arms
  vol.timer_armed = vol.election_deadline;
  out.set_timer(static_cast<TimerId>(state.id), vol.election_deadline);
}

// §5.2: "To begin an election, a follower increments its current term and
// transitions to candidate state. It then votes for itself and issues
// RequestVote RPCs in parallel to each of the other servers." A candidate
// whose timeout passes without a majority has lost (a split vote) and starts
// the next term's election with a new random timeout.
void LeaderFollowerNode::campaign(UnitState& state, Ready& out)
{
  Durable& d = state.durable;
  Volatile& vol = state.vol;
  if (vol.role == ReplicaRole::candidate)
    event(RoleEvent::Kind::election_lost, state, d.term);
  ++d.term;
  d.voted_for = self_;
  ++out.persist;
  vol.role = ReplicaRole::candidate;
  vol.leader = kNoNode;
  vol.verified = 0;
  vol.early.clear();
  vol.votes = VoteTally(replica_count(state.id));
  vol.votes->grant(position(state.id, self_));
  event(RoleEvent::Kind::election_started, state, d.term);
  reset_election_deadline(state, out);
  const RequestVote request{d.term, state.id, last_index(d.log), last_term(d.log)};
  for (NodeId replica : placement_.replicas(state.id))
    if (replica != self_)
      out.send(self(), Address::node(replica), request);
  if (vol.votes->won())
    become_leader(state, out);  // a unit of one replica
}

// §5.2 and §5.4.1: one vote per term, first come first served, and only for a
// candidate whose log is at least as up to date; granting it resets the
// election timer.
void LeaderFollowerNode::on(const RequestVote& m, Address from, Ready& out)
{
  UnitState* state = voting() ? unit_state(m.unit) : nullptr;
  if (state == nullptr)
    return;
  Durable& d = state->durable;
  if (m.term > d.term)
    become_follower(*state, m.term, kNoNode, out);
  const bool up_to_date = candidate_up_to_date(m.last_term, m.last_index, last_term(d.log), last_index(d.log));
  const bool grant = m.term == d.term && grants_vote(d.voted_for, from.index, up_to_date);
  if (grant) {
    if (d.voted_for != from.index)
      ++out.persist;
    d.voted_for = from.index;
    reset_election_deadline(*state, out);
  }
  out.send(self(), from, Vote{d.term, m.unit, grant});
}

// §5.2: "A candidate wins an election if it receives votes from a majority of
// the servers in the full cluster for the same term."
void LeaderFollowerNode::on(const Vote& m, Address from, Ready& out)
{
  UnitState* state = voting() ? unit_state(m.unit) : nullptr;
  if (state == nullptr)
    return;
  if (m.term > state->durable.term) {
    become_follower(*state, m.term, kNoNode, out);
    return;
  }
  const int voter = position(m.unit, from.index);
  if (state->vol.role != ReplicaRole::candidate || m.term != state->durable.term || !m.granted || voter < 0)
    return;
  state->vol.votes->grant(voter);
  if (state->vol.votes->won())
    become_leader(*state, out);
}

// "Once a candidate wins an election, it becomes leader. It then sends
// heartbeat messages to all of the other servers": Raft's leader opens its
// term with a no-op append (§8), which is that first heartbeat; MongoDB's
// first catches up, with heartbeats, before it writes.
void LeaderFollowerNode::become_leader(UnitState& state, Ready& out)
{
  take_lead(state, out);
  if (!failover_.catch_up) {
    start_writing(state, out);
    return;
  }
  state.vol.lead->writable = false;
  send_heartbeats({state.id}, out);
  finish_catch_up_if_heard(state, out);
}

void LeaderFollowerNode::take_lead(UnitState& state, Ready& out)
{
  Volatile& vol = state.vol;
  vol.role = ReplicaRole::leader;
  vol.leader = self_;
  vol.votes.reset();
  vol.election_deadline = kNever;
  if (vol.timer_armed != kNever) {
    out.cancel_timer(static_cast<TimerId>(state.id));
    vol.timer_armed = kNever;
  }
  init_leading(state);
  arm_heartbeat(out);
  event(RoleEvent::Kind::became_leader, state, state.durable.term);
}

// §5.1: "If a candidate or leader discovers that its term is out of date, it
// immediately reverts to follower state." A leader's pending writes fail at
// once, naming the new leader when known. A follower that only learns a newer
// term keeps its election deadline: only a leader's append or a granted vote
// resets it.
void LeaderFollowerNode::become_follower(UnitState& state, Term term, NodeId leader, Ready& out)
{
  Durable& d = state.durable;
  Volatile& vol = state.vol;
  const Term old = d.term;
  if (term > d.term) {
    d.term = term;
    d.voted_for = kNoNode;
    ++out.persist;
    vol.verified = 0;
    vol.early.clear();
  }
  switch (vol.role) {
    case ReplicaRole::leader:
      event(RoleEvent::Kind::stopped_leading, state, old);
      fail_pending(state, leader, out);
      break;
    case ReplicaRole::candidate: event(RoleEvent::Kind::election_lost, state, old); break;
    case ReplicaRole::follower: break;
  }
  vol.role = ReplicaRole::follower;
  vol.leader = leader;
  vol.lead.reset();
  vol.votes.reset();
  if (vol.election_deadline == kNever)
    reset_election_deadline(state, out);
}

// An append from `leader` at `term` (no older than ours): follow it and reset
// the election timer. False if this node leads the same term itself, which
// Election Safety rules out.
bool LeaderFollowerNode::follow(UnitState& state, Term term, NodeId leader, Ready& out)
{
  if (term > state.durable.term || state.vol.role == ReplicaRole::candidate)
    become_follower(state, term, leader, out);
  if (state.vol.role == ReplicaRole::leader)
    return false;
  state.vol.leader = leader;
  reset_election_deadline(state, out);
  return true;
}

void LeaderFollowerNode::fail_pending(UnitState& state, NodeId leader, Ready& out)
{
  for (const PendingWrite& w : state.vol.lead->pending)
    out.send(self(), w.client, WriteReply{w.op, false, 0, 0, -1, leader});
  state.vol.lead->pending.clear();
}

}  // namespace replisim
