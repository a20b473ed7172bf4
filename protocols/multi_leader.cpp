#include "protocols/multi_leader.hpp"

#include <algorithm>

#include "protocols/leaderless.hpp"  // lww_version

namespace replisim {

namespace {
constexpr TimerId kSyncTimer = ~TimerId{0};

// The stamp of a write by `node` at `now` that outranks `floor`: the clock's,
// or if the clock is not past `floor`, the next nanosecond after it.
Version stamp_after(Version floor, Time now, NodeId node)
{
  const Version stamp = lww_version(now, node);
  if (stamp > floor)
    return stamp;
  const Version one_ns = lww_version(1e-9, 0);
  return (floor / one_ns + 1) * one_ns + static_cast<Version>(node);
}
}  // namespace

int LeaderGroups::leader_index(NodeId node) const
{
  const auto it = std::find(leaders.begin(), leaders.end(), node);
  return it == leaders.end() ? -1 : static_cast<int>(it - leaders.begin());
}

NodeId LeaderGroups::leader_of(NodeId follower) const
{
  for (std::size_t i = 0; i < leaders.size(); ++i)
    if (std::find(followers_of[i].begin(), followers_of[i].end(), follower) != followers_of[i].end())
      return leaders[i];
  return kNoNode;
}

bool dominated_by(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b)
{
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] > b[i])
      return false;
  return true;
}

bool wins_over(const KeyRecord& a, const KeyRecord& b) { return a.version > b.version; }

MultiLeaderNode::MultiLeaderNode(NodeId self, const LeaderGroups& groups, MultiLeaderConfig config)
    : self_(self), groups_(groups), config_(config), index_(groups.leader_index(self))
{
  if (index_ >= 0) {
    const int group = 1 + static_cast<int>(groups.followers_of[static_cast<std::size_t>(index_)].size());
    needed_ = acks_needed(config.local_concern, group);
  }
}

Ready MultiLeaderNode::step(const Envelope& in, Time now)
{
  Ready out;
  std::visit([&](const auto& m) { on(m, in.from, now, out); }, in.message);
  return out;
}

void MultiLeaderNode::note_applied(const KeyRecord& before, const KeyRecord& after, Time now)
{
  for (std::size_t l = 0; l < after.seen.size(); ++l) {
    const std::uint64_t from = before.seen.empty() ? 0 : before.seen[l];
    for (std::uint64_t c = from + 1; c <= after.seen[l]; ++c)
      applied_.push_back({AcceptedWrite{after.key, static_cast<int>(l), c, 0, {}}, now});
  }
}

bool MultiLeaderNode::merge(const KeyRecord& incoming, Time now)
{
  auto [it, fresh] = records_.try_emplace(incoming.key, incoming);
  KeyRecord& held = it->second;
  if (fresh) {
    note_applied(KeyRecord{}, held, now);
    return true;
  }
  if (dominated_by(incoming.seen, held.seen))
    return false;  // nothing new: already incorporated
  const KeyRecord before = held;
  if (!dominated_by(held.seen, incoming.seen)) {
    // Neither happened before the other: a conflict, resolved the same way
    // on every leader so that all converge.
    conflicts_.emplace_back(std::min(held.version, incoming.version), std::max(held.version, incoming.version));
    if (wins_over(incoming, held)) {
      held.version = incoming.version;
      held.writer_seen = incoming.writer_seen;
    }
    for (std::size_t l = 0; l < held.seen.size(); ++l)
      held.seen[l] = std::max(held.seen[l], incoming.seen[l]);
  } else {
    held = incoming;  // it happened after what we hold
  }
  note_applied(before, held, now);
  return true;
}

void MultiLeaderNode::on(const ClientWrite& m, Address from, Time now, Ready& out)
{
  if (index_ < 0) {
    out.send(self(), from, WriteReply{m.op, false, 0, 0});
    return;
  }
  ++counters_.writes_led;
  KeyRecord next;
  if (auto it = records_.find(m.key); it != records_.end())
    next = it->second;
  else
    next.seen.assign(groups_.leaders.size(), 0);
  next.key = m.key;
  ++next.seen[static_cast<std::size_t>(index_)];  // happens after everything this leader has seen
  // The stamp must outrank every write this one saw (its record's version is
  // their largest) and this leader's earlier stamps. Otherwise a superseded
  // write could keep the larger stamp and win a later conflict on one leader
  // but not on another, and writes at one instant would share a stamp: the
  // leaders would diverge.
  next.version = stamp_after(std::max(next.version, last_stamp_), now, self_);
  last_stamp_ = next.version;
  next.writer_seen = next.seen;
  accepted_.push_back({m.key, index_, next.seen[static_cast<std::size_t>(index_)], next.version, next.writer_seen});
  merge(next, now);
  ++out.persist;

  const OpId request = next_request_++;
  pending_[request] = PendingWrite{from, m.op, next.version, 1};
  for (NodeId f : groups_.followers_of[static_cast<std::size_t>(index_)])
    out.send(self(), Address::node(f), FollowerUpdate{request, next});
  acknowledge_if_done(request, now, out);
  ship(m.key, now, out);
}

void MultiLeaderNode::acknowledge_if_done(OpId request, Time now, Ready& out)
{
  auto it = pending_.find(request);
  if (it == pending_.end() || it->second.acks < needed_)
    return;
  out.send(self(), it->second.client, WriteReply{it->second.op, true, it->second.version, it->second.acks, now});
  pending_.erase(it);
}

void MultiLeaderNode::ship(Key key, Time now, Ready& out)
{
  if (groups_.leaders.size() < 2)
    return;
  if (std::find(dirty_.begin(), dirty_.end(), key) == dirty_.end())
    dirty_.push_back(key);
  if (config_.replication_interval <= 0) {
    send_sync(out);
  } else if (!sync_timer_set_) {
    out.set_timer(kSyncTimer, now + config_.replication_interval);
    sync_timer_set_ = true;
  }
}

void MultiLeaderNode::send_sync(Ready& out)
{
  LeaderSync sync;
  for (Key k : dirty_)
    sync.records.push_back(records_.at(k));
  dirty_.clear();
  for (NodeId leader : groups_.leaders)
    if (leader != self_)
      out.send(self(), Address::node(leader), sync);
}

Ready MultiLeaderNode::on_timer(TimerId id, Time)
{
  Ready out;
  if (id == kSyncTimer) {
    sync_timer_set_ = false;
    if (!dirty_.empty())
      send_sync(out);
  }
  return out;
}

void MultiLeaderNode::on(const LeaderSync& m, Address, Time now, Ready& out)
{
  for (const KeyRecord& r : m.records)
    if (merge(r, now)) {
      ++counters_.writes_replicated;
      ++out.persist;
      // Followers learn what their leader now holds; no answer needed.
      for (NodeId f : groups_.followers_of[static_cast<std::size_t>(index_)])
        out.send(self(), Address::node(f), FollowerUpdate{0, records_.at(r.key)});
    }
}

void MultiLeaderNode::on(const FollowerUpdate& m, Address from, Time now, Ready& out)
{
  auto it = records_.find(m.record.key);
  // Updates from one leader may arrive out of order: keep the later one.
  if (it == records_.end() || !dominated_by(m.record.seen, it->second.seen)) {
    const KeyRecord before = it == records_.end() ? KeyRecord{} : it->second;
    records_[m.record.key] = m.record;
    note_applied(before, m.record, now);
    ++counters_.writes_replicated;
    ++out.persist;
  }
  if (m.request != 0)
    out.send(self(), from, FollowerAck{m.request});
}

void MultiLeaderNode::on(const FollowerAck& m, Address, Time now, Ready& out)
{
  auto it = pending_.find(m.request);
  if (it == pending_.end())
    return;  // already acknowledged
  ++it->second.acks;
  acknowledge_if_done(m.request, now, out);
}

void MultiLeaderNode::on(const ClientRead& m, Address from, Time, Ready& out)
{
  auto it = records_.find(m.key);
  out.send(self(), from, ReadReply{m.op, true, it == records_.end() ? 0 : it->second.version});
}

}  // namespace replisim

namespace replisim {

LeaderRouter::LeaderRouter(const LeaderGroups& groups, bool random, const std::vector<double>& latency_to_node,
                           const std::vector<bool>& up)
    : random_(random)
{
  for (NodeId leader : groups.leaders)
    if (up.empty() || up.at(static_cast<std::size_t>(leader)))
      choices_.push_back(leader);
  if (choices_.empty())
    choices_ = groups.leaders;
  for (NodeId leader : choices_)
    if (nearest_ == kNoNode || latency_to_node.at(leader) < latency_to_node.at(nearest_))
      nearest_ = leader;  // ties go to the earlier leader
}

NodeId LeaderRouter::route(OpKind, UnitId, Rng& rng) const
{
  return random_ ? choices_[rng.below(choices_.size())] : nearest_;
}

}  // namespace replisim
