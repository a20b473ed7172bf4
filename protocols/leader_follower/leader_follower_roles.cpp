// The changes of role a policy decides (§5.1): term 1 as placed, taking the
// lead, and stepping down or following. The node makes them; the policy is
// told (on_became_leader, on_became_follower, on_leader_heard) to keep its
// own state, such as Raft's election timers.
#include "protocols/leader_follower/leader_follower.hpp"

namespace replisim {

void LeaderFollowerNode::event(RoleEvent::Kind kind, const UnitState& state, Term term)
{
  report(RoleEvent{kind, state.id, self_, term, now_});
}

void LeaderFollowerNode::place_roles(UnitState& state)
{
  const NodeId primary = placement_.primary(state.id);
  state.vol.role = primary == self_ ? ReplicaRole::leader : ReplicaRole::follower;
  state.vol.leader = primary;
  if (primary == self_)
    init_leading(state);
}

// A fresh view of the replicas: none known to hold anything, every one in sync.
void LeaderFollowerNode::init_leading(UnitState& state)
{
  const LogIndex last = last_index(state.durable.log);
  Leading& lead = state.vol.lead.get();
  lead = Leading{};
  lead.quorum_checked = now_;
  lead.replicas.assign(placement_.replicas(state.id).size(), Progress::of_follower(last, now_));
  lead.replicas[static_cast<std::size_t>(placement_.position(state.id, self_))] = Progress::of_leader(last, now_);
}

void LeaderFollowerNode::take_lead(UnitState& state, Ready& out)
{
  Volatile& vol = state.vol;
  vol.role = ReplicaRole::leader;
  vol.leader = self_;
  policy_->on_became_leader(state, out);
  init_leading(state);
  arm_heartbeat(out);
  event(RoleEvent::Kind::became_leader, state, state.durable.term);
}

// §5.1: "If a candidate or leader discovers that its term is out of date, it
// immediately reverts to follower state." A leader's pending writes fail at
// once, naming the new leader when known, as MongoDB fails them with
// InterruptedDueToReplStateChange: they may or may not commit later under
// the new leader.
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
  policy_->on_became_follower(state, out);
}

// An append from `leader` at `term` (no older than ours): follow it. False if
// this node leads the same term itself, which Election Safety rules out.
bool LeaderFollowerNode::follow(UnitState& state, Term term, NodeId leader, Ready& out)
{
  if (term > state.durable.term || state.vol.role == ReplicaRole::candidate)
    become_follower(state, term, leader, out);
  if (state.vol.role == ReplicaRole::leader)
    return false;
  state.vol.leader = leader;
  policy_->on_leader_heard(state, out);
  return true;
}

void LeaderFollowerNode::fail_pending(UnitState& state, NodeId leader, Ready& out)
{
  for (const PendingWrite& w : state.vol.lead->pending)
    out.send(self(), w.client, WriteReply{w.op, false, 0, 0, -1, leader});
  state.vol.lead->pending.clear();
  for (const PendingRead& r : state.vol.lead->reads)
    out.send(self(), r.client, ReadReply{r.op, false, 0});
  state.vol.lead->reads.clear();
}

}  // namespace replisim
