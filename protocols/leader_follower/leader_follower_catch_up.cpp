// MongoDB's catch-up (FailoverConfig::catch_up): a new primary learns the
// members' last optimes from its first heartbeats and, before it takes
// writes, copies the entries it lacks from the most up-to-date member it can
// reach, for up to catchUpTimeoutMillis (unbounded by default since 3.6;
// MongoDB manual, "Replica Set Elections", and rs.conf()'s
// settings.catchUpTimeoutMillis). It then opens its term with its no-op, as
// Raft does (§8): what no reachable member held is rolled back on the
// members that hold it when they follow.
//
// Safe because a member whose log is more up to date than the new leader's
// (§5.4.1's comparison, MongoDB's optimes) holds every committed entry: an
// entry committed at a term later than that member's last would be on a
// majority, one of whom voted for the new leader, whose log would then be
// the more up to date. So the copied entries never replace committed ones.
#include <algorithm>

#include "protocols/leader_follower/leader_follower.hpp"

namespace replisim {

void LeaderFollowerNode::catch_up(UnitState& state, Ready& out)
{
  Leading& lead = state.vol.lead.get();
  lead.writable = false;
  lead.catch_up_started = now_;
  send_heartbeats({state.id}, out);
  finish_catch_up_if_heard(state, out);
}

void LeaderFollowerNode::note_catch_up_report(UnitState& state, int replica, const ReplicateAck& m, Ready& out)
{
  if (state.vol.role != ReplicaRole::leader || state.vol.lead->writable)
    return;
  Progress& p = state.vol.lead->replicas[static_cast<std::size_t>(replica)];
  p.reported = m.last_index;
  p.reported_term = m.last_term;
  if (state.vol.lead->fetch_from == kNoNode)
    finish_catch_up_if_heard(state, out);
}

// Once a majority (itself included) has reported: the member most up to
// date among those heard within an election timeout (MongoDB counts a
// member down after that long without a heartbeat answer), if it is ahead
// of this leader's log, is copied from; else the leader takes writes.
void LeaderFollowerNode::finish_catch_up_if_heard(UnitState& state, Ready& out)
{
  Leading& lead = state.vol.lead.get();
  const auto& replicas = lead.replicas;
  const auto reported = std::count_if(replicas.begin(), replicas.end(), [](const Progress& p) { return p.has_reported(); });
  if (reported < majority(static_cast<int>(replicas.size())))
    return;
  const auto set = placement_.replicas(state.id);
  Term best_term = last_term(state.durable.log);
  LogIndex best_index = last_index(state.durable.log);
  NodeId ahead = kNoNode;
  for (std::size_t i = 0; i < replicas.size(); ++i) {
    const Progress& p = replicas[i];
    if (set[i] == self_ || !p.has_reported() || !p.heard_within(failover_.election_timeout_min, now_))
      continue;
    if (!candidate_up_to_date(best_term, best_index, p.reported_term, p.reported)) {
      best_term = p.reported_term;
      best_index = p.reported;
      ahead = set[i];
    }
  }
  if (ahead == kNoNode) {
    start_writing(state, out);
    return;
  }
  lead.fetch_from = ahead;
  lead.fetch_prev = last_index(state.durable.log);
  send_fetch(state, out);
}

void LeaderFollowerNode::send_fetch(UnitState& state, Ready& out)
{
  Leading& lead = state.vol.lead.get();
  lead.fetch_sent = now_;
  out.send(self(), Address::node(lead.fetch_from),
           CatchUpFetch{state.durable.term, state.id, lead.fetch_prev, term_at(state.durable.log, lead.fetch_prev)});
}

// The member asked: it follows the asker's term, as it would an append, and
// sends the entries after the one asked about when its log holds that one.
void LeaderFollowerNode::on(const CatchUpFetch& m, Address from, Time /*now*/, Ready& out)
{
  UnitState* state = find_unit(m.unit);
  if (state == nullptr)
    return;
  const Log& log = state->durable.log;
  CatchUpEntries reply{.term = state->durable.term,
                       .unit = m.unit,
                       .prev_index = m.prev_index,
                       .last_index = last_index(log),
                       .last_term = last_term(log)};
  if (m.term >= state->durable.term && follow(*state, m.term, from.index, out)) {
    reply.term = state->durable.term;
    reply.matched = log_matches(log, m.prev_index, m.prev_term);
    if (!reply.matched) {
      reply.hint = rejection_hint(log, m.prev_index);
    } else {
      // Entries it discarded every replica holds, the asker too: it sends from its first kept.
      const LogIndex after = std::max(m.prev_index, log.compacted());
      const LogIndex end = std::min(last_index(log), after + kCatchUpBatch);
      for (LogIndex i = after + 1; i <= end; ++i) {
        const LogEntry& e = log.at(i);
        reply.entries.push_back(Replicate{.term = reply.term,
                                          .unit = m.unit,
                                          .index = i,
                                          .key = e.key,
                                          .version = e.version,
                                          .prev_term = term_at(log, i - 1),
                                          .op = e.op,
                                          .entry_term = e.term});
      }
    }
  }
  out.send(self(), from, std::move(reply));
}

// The leader copies what the member sent, replacing the entries of its own
// that conflict (never committed ones: see the top of the file), and asks
// for more until it holds the member's last entry; then it looks again for
// a member ahead. A refusal backs the question up to where the logs may agree.
void LeaderFollowerNode::on(const CatchUpEntries& m, Address from, Time /*now*/, Ready& out)
{
  UnitState* state = find_unit(m.unit);
  if (state == nullptr)
    return;
  if (m.term > state->durable.term) {
    policy_->on_newer_term(*state, m.term, out);
    return;
  }
  if (state->vol.role != ReplicaRole::leader || m.term != state->durable.term)
    return;
  Leading& lead = state->vol.lead.get();
  const int replica = placement_.position(state->id, from.index);
  if (lead.writable || lead.fetch_from != from.index || m.prev_index != lead.fetch_prev || replica < 0)
    return;  // an answer to an earlier question
  Progress& p = lead.replicas[static_cast<std::size_t>(replica)];
  p.last_heard = now_;
  p.reported = m.last_index;
  p.reported_term = m.last_term;
  Log& log = state->durable.log;
  if (!m.matched) {
    lead.fetch_prev = std::min(m.hint, lead.fetch_prev == 0 ? 0 : lead.fetch_prev - 1);
    send_fetch(*state, out);
    return;
  }
  for (const Replicate& e : m.entries) {
    if (e.index <= last_index(log) && term_at(log, e.index) == e.entry_term)
      continue;
    truncate(*state, e.index);
    apply(*state, LogEntry{e.entry_term, e.key, e.version, e.op});
    ++counters_.writes_replicated;
    ++out.persist;
  }
  lead.replicas[static_cast<std::size_t>(placement_.position(state->id, self_))].match = last_index(log);
  if (candidate_up_to_date(last_term(log), last_index(log), m.last_term, m.last_index)) {
    lead.fetch_from = kNoNode;
    finish_catch_up_if_heard(*state, out);
  } else {
    lead.fetch_prev = last_index(log);
    send_fetch(*state, out);
  }
}

// At each heartbeat while catching up: past --catch-up-timeout the leader
// takes writes with what it holds; a fetch unanswered for a heartbeat
// interval is asked again, or, once its member has not been heard from for
// an election timeout (down, as MongoDB counts it), another member ahead
// is looked for.
void LeaderFollowerNode::give_up_catch_up(UnitState& state, Ready& out)
{
  Leading& lead = state.vol.lead.get();
  if (lead.writable)
    return;
  if (now_ - lead.catch_up_started >= failover_.catch_up_timeout) {
    start_writing(state, out);
    return;
  }
  if (lead.fetch_from == kNoNode || now_ - lead.fetch_sent < failover_.heartbeat_interval)
    return;
  const Progress& source =
      lead.replicas[static_cast<std::size_t>(placement_.position(state.id, lead.fetch_from))];
  if (source.heard_within(failover_.election_timeout_min, now_)) {
    send_fetch(state, out);
    return;
  }
  lead.fetch_from = kNoNode;
  finish_catch_up_if_heard(state, out);
}

// The leader takes writes from now: its term opens with a no-op entry (§8),
// so that entries of earlier terms commit with it. After a catch-up, a
// follower whose next entry is past the leader's log (which the catch-up may
// have shortened) is asked from the leader's end, and every follower gets a
// heartbeat at once, which starts the repair of those behind (the members
// of a replica set fetch from the new primary as soon as it writes).
void LeaderFollowerNode::start_writing(UnitState& state, Ready& out)
{
  Leading& lead = state.vol.lead.get();
  const bool caught_up = !lead.writable;
  lead.writable = true;
  lead.fetch_from = kNoNode;
  const LogIndex last = last_index(state.durable.log);
  for (Progress& p : lead.replicas)
    p.next = std::min(p.next, last + 1);
  lead.replicas[static_cast<std::size_t>(placement_.position(state.id, self_))].match = last;
  append(state, LogEntry{state.durable.term, 0, 0, 0}, out);
  lead.term_start = last_index(state.durable.log);
  acknowledge_committed(state, out);
  if (caught_up)
    send_heartbeats({state.id}, out);
}

}  // namespace replisim
