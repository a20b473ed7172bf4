// The client's leader discovery (LeaderDiscovery, leader_view.hpp): an
// operation bound for its unit's leader goes where the client's view says,
// or waits until a check of the unit's replicas finds one; refusals and
// timeouts make the view doubt, and the view is checked again periodically.
#include <algorithm>
#include <cmath>

#include "protocols/client/client.hpp"

namespace replisim {

std::size_t ClientMachine::waiting_for_leader() const
{
  return static_cast<std::size_t>(
      std::count_if(outstanding_.begin(), outstanding_.end(), [](const auto& entry) { return entry.second.waiting; }));
}

// To the leader the view holds; with none, the operation waits for a check
// to find one (server selection), for at most leader_wait.
void ClientMachine::dispatch(Outstanding& o, Time now, Ready& out)
{
  Completion& c = o.op;
  const NodeId leader = view_.leader(c.unit);
  if (leader == kNoNode) {
    if (!o.waiting) {
      o.waiting = true;
      o.wait_until = now + config_.discovery.leader_wait;
      if (o.wait_until != kNever)
        out.set_timer(discovery_timer(DiscoveryTimer::leader_wait, c.op), o.wait_until);
    }
    request_check(c.unit, now, out);
    return;
  }
  if (o.waiting) {
    o.waiting = false;
    out.cancel_timer(discovery_timer(DiscoveryTimer::leader_wait, c.op));
  }
  o.target = leader;
  c.coordinator = leader;
  c.primary = router_.primary(placement_, c.unit, c.coordinator);
  send_attempt(o, now, out);
}

// A check at once, unless one left less than min_refresh_interval ago: then
// at that point (minHeartbeatFrequencyMS, retry.backoff.ms).
void ClientMachine::request_check(UnitId unit, Time now, Ready& out)
{
  const Time due = view_.last_check(unit) + config_.discovery.min_refresh_interval;
  if (now >= due) {
    send_check(unit, now, out);
    return;
  }
  const auto [it, armed_now] = armed_checks_.try_emplace(unit, true);
  it->second = true;
  if (armed_now)
    out.set_timer(discovery_timer(DiscoveryTimer::check, static_cast<std::uint64_t>(unit)), due);
}

// Every replica of the unit is asked (a MongoDB driver monitors every
// member); while operations wait, the unit is checked again after
// min_refresh_interval, since a check may find no leader yet.
void ClientMachine::send_check(UnitId unit, Time now, Ready& out)
{
  for (NodeId replica : placement_.replicas(unit))
    out.send(self(), Address::node(replica), LeaderQuery{unit});
  view_.checked(unit, now);
  const bool waiting = std::any_of(outstanding_.begin(), outstanding_.end(), [unit](const auto& entry) {
    return entry.second.waiting && entry.second.op.unit == unit;
  });
  if (waiting && armed_checks_.try_emplace(unit, false).second)
    out.set_timer(discovery_timer(DiscoveryTimer::check, static_cast<std::uint64_t>(unit)),
                  now + config_.discovery.min_refresh_interval);
}

void ClientMachine::on_leader_info(const LeaderInfo& m, Address from, Time now, Ready& out)
{
  if (!config_.discovery.enabled || !from.is_node() || !view_.has(m.unit))
    return;
  view_.answer(m.unit, from.index, m.leads, m.term);
  if (view_.leader(m.unit) != kNoNode)
    release_waiting(m.unit, now, out);
}

void ClientMachine::release_waiting(UnitId unit, Time now, Ready& out)
{
  for (auto& [id, o] : outstanding_)
    if (o.waiting && o.op.unit == unit)
      dispatch(o, now, out);
}

// A timeout or a refusal at `from`: MongoDB's drivers mark the server
// unknown and check at once; Kafka's producer refreshes its metadata; a
// refusal that names the leader is followed where the preset says so.
void ClientMachine::learn_from_failure(Outstanding& o, bool timed_out, NodeId from, NodeId hint, Time now,
                                       Ready& out)
{
  const UnitId unit = o.op.unit;
  if (!timed_out && hint != kNoNode && config_.discovery.follow_hints) {
    view_.redirected(unit, hint);
    return;
  }
  view_.suspect(unit, from);
  request_check(unit, now, out);
}

void ClientMachine::on_discovery_timer(TimerId id, Time now, Ready& out)
{
  const auto kind = static_cast<DiscoveryTimer>((id >> 60) & 0x7);
  const std::uint64_t payload = id & ((TimerId{1} << 60) - 1);
  switch (kind) {
    case DiscoveryTimer::check: {
      const auto unit = static_cast<UnitId>(payload);
      const auto it = armed_checks_.find(unit);
      if (it == armed_checks_.end() || all_done())
        return;
      const bool asked = it->second;
      armed_checks_.erase(it);
      const bool waiting = std::any_of(outstanding_.begin(), outstanding_.end(), [unit](const auto& entry) {
        return entry.second.waiting && entry.second.op.unit == unit;
      });
      if (asked || waiting)
        send_check(unit, now, out);
      return;
    }
    case DiscoveryTimer::periodic:
      if (all_done())
        return;
      for (UnitId unit : view_.units())
        send_check(unit, now, out);
      out.set_timer(discovery_timer(DiscoveryTimer::periodic, 0), now + config_.discovery.refresh_interval);
      return;
    case DiscoveryTimer::leader_wait: {
      const auto it = outstanding_.find(payload);
      if (it != outstanding_.end() && it->second.waiting && now >= it->second.wait_until)
        give_up(payload, now, out);
      return;
    }
    case DiscoveryTimer::delivery:
      if (outstanding_.count(payload) != 0)
        give_up(payload, now, out);
      return;
  }
}

// The operation ends without an answer: `failed` if no attempt of a write
// can have committed (refused, or never sent), `timeout` otherwise.
void ClientMachine::give_up(OpId id, Time now, Ready& out)
{
  Outstanding& o = outstanding_.at(id);
  const bool in_flight = !o.waiting && !o.backing_off;
  if (in_flight)
    out.cancel_timer(timeout_timer(id, o.op.attempts));
  else if (o.backing_off)
    out.cancel_timer(backoff_timer(id, o.op.attempts));
  const bool unknown = o.maybe_committed || in_flight;
  finish(nullptr, id, now, unknown ? Outcome::timeout : Outcome::failed, 0, 0, -1, out);
}

}  // namespace replisim
