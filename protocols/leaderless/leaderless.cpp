#include "protocols/leaderless/leaderless.hpp"

#include <cmath>

namespace replisim {

Version lww_version(Time now, NodeId coordinator)
{
  constexpr Version kNodeIdSpace = 1u << 14;  // 16,384 nodes
  return static_cast<Version>(std::llround(now * 1e9)) * kNodeIdSpace + static_cast<Version>(coordinator);
}

LeaderlessNode::LeaderlessNode(NodeId self, const Placement& placement, const Membership& membership,
                               LeaderlessConfig config)
    : self_(self), placement_(placement), membership_(membership), config_(config)
{
  // Nodes down from the start have been down since the start.
  for (NodeId n = 0; n < membership.node_count(); ++n)
    if (!membership.alive[n])
      down_since_.emplace(n, 0.0);
}

Version LeaderlessNode::version_of(Key key) const
{
  auto it = data_.find(key);
  return it == data_.end() ? 0 : it->second;
}

Ready LeaderlessNode::step(const Envelope& in, Time now)
{
  Ready out;
  visit_handled<Ignored>(in.message, [&](const auto& m) { on(m, in.from, now, out); });
  return out;
}

LeaderlessNode::Request* LeaderlessNode::open(Address client, OpId client_op, Key key, bool is_write, Time now,
                                              Ready& out)
{
  const UnitId unit = placement_.unit_of(key);
  std::vector<int> replicas_per_zone(static_cast<std::size_t>(membership_.zone_count), 0);
  std::vector<int> live_per_zone(replicas_per_zone.size(), 0);
  for (NodeId n : placement_.replicas(unit)) {
    ++replicas_per_zone[static_cast<std::size_t>(membership_.zone[n])];
    live_per_zone[static_cast<std::size_t>(membership_.zone[n])] += membership_.alive[n] ? 1 : 0;
  }
  QuorumRule rule(is_write ? config_.write_level : config_.read_level, replicas_per_zone,
                  membership_.zone[self_]);
  if (!rule.achievable(live_per_zone)) {
    if (is_write)
      out.send(self(), client, WriteReply{client_op, false, 0, 0});
    else
      out.send(self(), client, ReadReply{client_op, false, 0});
    return nullptr;
  }
  const OpId id = next_request_++;
  Request& r = requests_.emplace(id, Request{client, client_op, key, is_write, rule, {}, 0, 0, false, 0, {}}).first->second;
  r.answers_per_zone.assign(replicas_per_zone.size(), 0);
  for (NodeId n : placement_.replicas(unit)) {
    if (!membership_.alive[n]) {
      if (is_write && config_.hinted_handoff)
        keep_hint(n, key, lww_version(now, self_), now, out);  // a hint never counts toward the level
      continue;
    }
    ++r.asked;
    if (is_write)
      out.send(self(), Address::node(n), ReplicaWrite{id, key, lww_version(now, self_)});
    else
      out.send(self(), Address::node(n), ReplicaRead{id, key});
  }
  out.set_timer(id, now + config_.timeout);
  return &r;
}

void LeaderlessNode::on(const ClientWrite& m, Address from, Time now, Ready& out)
{
  ++counters_.writes_led;
  if (Request* r = open(from, m.op, m.key, true, now, out))
    r->newest = lww_version(now, self_);
}

void LeaderlessNode::on(const ClientRead& m, Address from, Time now, Ready& out) { open(from, m.op, m.key, false, now, out); }

void LeaderlessNode::on(const ReplicaWrite& m, Address from, Time, Ready& out)
{
  Version& held = data_[m.key];
  if (m.version > held)
    held = m.version;
  ++out.persist;  // the commit log takes every write, newer or not
  if (from.index != self_)
    ++counters_.writes_replicated;
  if (m.request != 0)  // read repair wants no answer
    out.send(self(), from, ReplicaWriteAck{m.request});
}

void LeaderlessNode::on(const ReplicaRead& m, Address from, Time, Ready& out)
{
  out.send(self(), from, ReplicaReadReply{m.request, version_of(m.key)});
}

void LeaderlessNode::on(const ReplicaWriteAck& m, Address from, Time now, Ready& out)
{
  auto it = requests_.find(m.request);
  if (it == requests_.end())
    return;  // answered and forgotten, or timed out
  Request& r = it->second;
  ++r.answered;
  ++r.answers_per_zone[static_cast<std::size_t>(membership_.zone[from.index])];
  if (!r.replied && r.rule.satisfied(r.answers_per_zone))
    answer(r, now, out);
  forget_if_complete(m.request, r);
}

void LeaderlessNode::on(const ReplicaReadReply& m, Address from, Time now, Ready& out)
{
  auto it = requests_.find(m.request);
  if (it == requests_.end())
    return;
  Request& r = it->second;
  ++r.answered;
  ++r.answers_per_zone[static_cast<std::size_t>(membership_.zone[from.index])];
  r.seen.emplace_back(from.index, m.version);
  if (r.replied) {
    if (config_.read_repair && m.version < r.newest)  // a late, older answer
      out.send(self(), from, ReplicaWrite{0, r.key, r.newest});
  } else {
    r.newest = std::max(r.newest, m.version);
    if (r.rule.satisfied(r.answers_per_zone)) {
      answer(r, now, out);
      if (config_.read_repair)
        repair(r, out);
    }
  }
  forget_if_complete(m.request, r);
}

void LeaderlessNode::answer(Request& r, Time now, Ready& out)
{
  r.replied = true;
  if (r.is_write)
    out.send(self(), r.client, WriteReply{r.client_op, true, r.newest, r.answered, now});
  else
    out.send(self(), r.client, ReadReply{r.client_op, true, r.newest});
}

void LeaderlessNode::repair(Request& r, Ready& out)
{
  for (const auto& [node, version] : r.seen)
    if (version < r.newest)
      out.send(self(), Address::node(node), ReplicaWrite{0, r.key, r.newest});
}

void LeaderlessNode::forget_if_complete(OpId id, const Request& r)
{
  // Writes are done once answered; reads wait for every answer when late
  // answers may still need repair.
  if (r.replied && (r.is_write || !config_.read_repair || r.answered == r.asked))
    requests_.erase(id);
}

Ready LeaderlessNode::on_timer(TimerId id, Time)
{
  Ready out;
  auto it = requests_.find(id);
  if (it == requests_.end())
    return out;
  Request& r = it->second;
  if (!r.replied) {  // Cassandra's WriteTimeout / ReadTimeout
    if (r.is_write)
      out.send(self(), r.client, WriteReply{r.client_op, false, 0, r.answered});
    else
      out.send(self(), r.client, ReadReply{r.client_op, false, 0});
  }
  requests_.erase(it);
  return out;
}

// --- failures and hinted handoff ---------------------------------------------

void LeaderlessNode::keep_hint(NodeId target, Key key, Version version, Time now, Ready& out)
{
  const auto down = down_since_.find(target);
  if (down != down_since_.end() && now - down->second >= config_.max_hint_window)
    return;  // down too long: Cassandra stops hinting it (a repair must bring it up to date)
  Version& held = hints_[target][key];
  held = std::max(held, version);
  ++out.persist;  // hints are written to disk
}

void LeaderlessNode::follow_membership(Time now, Ready& out)
{
  for (NodeId n = 0; n < membership_.node_count(); ++n) {
    if (!membership_.alive[n]) {
      down_since_.emplace(n, now);  // kept if it was down already
      continue;
    }
    const auto down = down_since_.find(n);
    if (down == down_since_.end())
      continue;
    const Time since = down->second;
    // Back: hand it what it missed, if it was not away too long. Cassandra
    // replays the hints and deletes each once delivered; a replay here wants
    // no answer (request 0, like read repair's writes).
    if (auto it = hints_.find(n); it != hints_.end()) {
      if (now - since < config_.max_hint_window)
        for (const auto& [key, version] : it->second)
          out.send(self(), Address::node(n), ReplicaWrite{0, key, version});
      hints_.erase(it);
    }
    down_since_.erase(down);
  }
}

void LeaderlessNode::crash(Time)
{
  requests_.clear();  // their clients time out
}

Ready LeaderlessNode::recover(Time now)
{
  Ready out;
  follow_membership(now, out);
  return out;
}

Ready LeaderlessNode::membership_changed(Time now)
{
  Ready out;
  follow_membership(now, out);
  return out;
}

const std::map<Key, Version>& LeaderlessNode::hints_for(NodeId target) const
{
  static const std::map<Key, Version> kNone;
  const auto it = hints_.find(target);
  return it == hints_.end() ? kNone : it->second;
}

std::size_t LeaderlessNode::hint_count() const
{
  std::size_t n = 0;
  for (const auto& [target, keys] : hints_)
    n += keys.size();
  return n;
}

}  // namespace replisim
