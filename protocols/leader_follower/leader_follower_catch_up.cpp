// MongoDB's catch-up (FailoverConfig::catch_up): a new leader first sends
// heartbeats, and takes writes only once a majority of the replicas (itself
// included) has reported its last index and its own log is at least the
// longest of those reports. When a reporter is ahead, MongoDB copies the
// missing entries from it; here only its time is modelled: one more
// heartbeat round trip to that replica, after which the leader takes writes,
// opening its term with its no-op (and, being Raft, truncates the entries
// it lacked, which were never committed).
#include <algorithm>

#include "protocols/leader_follower/leader_follower.hpp"

namespace replisim {

void LeaderFollowerNode::catch_up(UnitState& state, Ready& out)
{
  state.vol.lead->writable = false;
  send_heartbeats({state.id}, out);
  finish_catch_up_if_heard(state, out);
}

void LeaderFollowerNode::note_catch_up_report(UnitState& state, int replica, LogIndex last, Ready& out)
{
  Leading& lead = state.vol.lead.get();
  if (state.vol.role != ReplicaRole::leader || lead.writable)
    return;
  const auto i = static_cast<std::size_t>(replica);
  if (lead.fetch_from == kNoNode) {
    lead.replicas[i].reported = last;
    finish_catch_up_if_heard(state, out);
  } else if (placement_.replicas(state.id)[i] == lead.fetch_from) {
    start_writing(state, out);
  }
}

void LeaderFollowerNode::finish_catch_up_if_heard(UnitState& state, Ready& out)
{
  Leading& lead = state.vol.lead.get();
  const auto& replicas = lead.replicas;
  const auto reported = std::count_if(replicas.begin(), replicas.end(), [](const Progress& p) { return p.has_reported(); });
  if (reported < majority(static_cast<int>(replicas.size())))
    return;
  std::size_t ahead = 0;
  for (std::size_t i = 0; i < replicas.size(); ++i)
    if (replicas[i].has_reported() && (!replicas[ahead].has_reported() || replicas[i].reported > replicas[ahead].reported))
      ahead = i;
  if (replicas[ahead].reported <= last_index(state.durable.log)) {
    start_writing(state, out);
    return;
  }
  lead.fetch_from = placement_.replicas(state.id)[ahead];
  lead.fetch_sent = now_;
  send_heartbeats({state.id}, out);  // only the replica ahead is waited for
}

// MongoDB waits for the replica ahead up to catchUpTimeoutMillis (unbounded
// by default); here for one heartbeat interval, so that a replica that
// crashed after reporting cannot keep the unit without a writable leader.
void LeaderFollowerNode::give_up_catch_up(UnitState& state, Ready& out)
{
  const Leading& lead = state.vol.lead.view();
  if (!lead.writable && lead.fetch_from != kNoNode && now_ - lead.fetch_sent >= failover_.heartbeat_interval)
    start_writing(state, out);
}

// The leader takes writes from now: its term opens with a no-op entry (§8),
// so that entries of earlier terms commit with it.
void LeaderFollowerNode::start_writing(UnitState& state, Ready& out)
{
  state.vol.lead->writable = true;
  state.vol.lead->fetch_from = kNoNode;
  append(state, LogEntry{state.durable.term, 0, 0, 0}, out);
  state.vol.lead->term_start = last_index(state.durable.log);
  acknowledge_committed(state, out);
}

}  // namespace replisim
