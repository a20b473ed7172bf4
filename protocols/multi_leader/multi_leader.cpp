#include "protocols/multi_leader/multi_leader.hpp"

#include <algorithm>
#include <stdexcept>

#include "protocols/leaderless/leaderless.hpp"  // lww_version

namespace replisim {

namespace {
constexpr TimerId kSyncTimer = ~TimerId{0};
constexpr TimerId kResendTimer = ~TimerId{0} - 1;
constexpr TimerId kConvictionTimer = ~TimerId{0} - 2;  // the timeout detector's next conviction

// The stamp of a write by `node` at `now` that outranks `floor`: the clock's,
// or if the clock is not past `floor`, the next nanosecond after it.
Version stamp_after(Version floor, Time now, NodeId node)
{
  const Version stamp = lww_version(std::max(now, 0.0), node);  // a clock behind true time still reads ≥ 0
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

MultiLeaderNode::MultiLeaderNode(NodeId self, const LeaderGroups& groups, MultiLeaderConfig config,
                                 const Membership* membership, TimeoutDetector* peers)
    : self_(self), groups_(groups), config_(config), membership_(peers != nullptr ? &peers->view() : membership),
      peers_(peers), index_(groups.leader_index(self))
{
  if (index_ >= 0) {
    const int group = 1 + static_cast<int>(groups.followers_of[static_cast<std::size_t>(index_)].size());
    needed_ = acks_needed(config.local_concern, group);
  }
  if (config_.acked_sync && !(config_.sync_retry > 0))
    throw std::invalid_argument("multi-leader: the sync retry interval must be positive");
  unacked_.resize(groups.leaders.size());
  for (std::size_t l = 0; l < groups.leaders.size(); ++l)
    seen_up_.push_back(leader_up(static_cast<int>(l)));
}

bool MultiLeaderNode::leader_up(int l) const
{
  return membership_ == nullptr || membership_->alive.at(groups_.leaders.at(static_cast<std::size_t>(l)));
}

Time MultiLeaderNode::clock(Time now) const
{
  const auto l = static_cast<std::size_t>(index_);
  return index_ >= 0 && l < config_.clock_offset.size() ? now + config_.clock_offset[l] : now;
}

Ready MultiLeaderNode::step(const Envelope& in, Time now)
{
  Ready out;
  visit_handled<Ignored>(in.message, [&](const auto& m) { on(m, in.from, now, out); });
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
  if (index_ < 0) {  // a follower: it names its leader
    out.send(self(), from, WriteReply{m.op, false, 0, 0, -1, groups_.leader_of(self_)});
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
  next.version = stamp_after(std::max(next.version, last_stamp_), clock(now), self_);
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
  if (config_.acked_sync) {
    // Owed to every other leader until it acknowledges it, whether or not
    // this sync (or batch) ever leaves: a crash before the batch timer loses
    // the batch, not the debt.
    const std::uint64_t counter = records_.at(key).seen[static_cast<std::size_t>(index_)];
    for (std::size_t l = 0; l < groups_.leaders.size(); ++l)
      if (static_cast<int>(l) != index_)
        unacked_[l][key] = counter;
    arm_resend(now, out);
  }
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

Ready MultiLeaderNode::on_timer(TimerId id, Time now)
{
  Ready out;
  if (id == kSyncTimer) {
    sync_timer_set_ = false;
    if (!dirty_.empty())
      send_sync(out);
  } else if (id == kResendTimer && resend_timer_set_) {
    resend_timer_set_ = false;
    for (std::size_t l = 0; l < unacked_.size(); ++l)
      if (leader_up(static_cast<int>(l)))
        resend(static_cast<int>(l), out);
    arm_resend(now, out);
  } else if (id == kConvictionTimer && peers_ != nullptr) {
    return membership_changed(now);
  }
  return out;
}

void MultiLeaderNode::on(const LeaderSync& m, Address from, Time now, Ready& out)
{
  if (index_ < 0)
    return;  // syncs go to leaders only
  for (const KeyRecord& r : m.records)
    if (merge(r, now)) {
      ++counters_.writes_replicated;
      ++out.persist;
      // Followers learn what their leader now holds; no answer needed.
      for (NodeId f : groups_.followers_of[static_cast<std::size_t>(index_)])
        out.send(self(), Address::node(f), FollowerUpdate{0, records_.at(r.key)});
    }
  const int sender = groups_.leader_index(from.index);
  if (!config_.acked_sync || sender < 0)
    return;
  // What this leader now holds of the sender's writes of each key: at least
  // what the sync carried (merge keeps the larger component).
  LeaderSyncAck ack;
  for (const KeyRecord& r : m.records)
    ack.keys.push_back({r.key, records_.at(r.key).seen[static_cast<std::size_t>(sender)]});
  out.send(self(), from, std::move(ack));
}

void MultiLeaderNode::on(const LeaderSyncAck& m, Address from, Time, Ready&)
{
  const int l = groups_.leader_index(from.index);
  if (index_ < 0 || l < 0)
    return;
  auto& owed = unacked_[static_cast<std::size_t>(l)];
  for (const SyncedKey& k : m.keys)
    if (auto it = owed.find(k.key); it != owed.end() && it->second <= k.counter)
      owed.erase(it);  // an ack of an older sync leaves a later write owed
}

void MultiLeaderNode::resend(int l, Ready& out)
{
  const auto& owed = unacked_.at(static_cast<std::size_t>(l));
  if (owed.empty() || l == index_)
    return;
  LeaderSync sync;
  for (const auto& [key, counter] : owed)
    sync.records.push_back(records_.at(key));  // the current record: it includes every write owed
  out.send(self(), Address::node(groups_.leaders[static_cast<std::size_t>(l)]), std::move(sync));
}

// Only while a leader that is up is owed something: one that is down gets
// everything at once when it comes back (membership_changed).
void MultiLeaderNode::arm_resend(Time now, Ready& out)
{
  bool owed_to_live = false;
  for (std::size_t l = 0; l < unacked_.size(); ++l)
    owed_to_live = owed_to_live || (!unacked_[l].empty() && leader_up(static_cast<int>(l)));
  if (resend_timer_set_ || !owed_to_live)
    return;
  out.set_timer(kResendTimer, now + config_.sync_retry);
  resend_timer_set_ = true;
}

bool MultiLeaderNode::has_unacknowledged_syncs() const
{
  return std::any_of(unacked_.begin(), unacked_.end(), [](const auto& owed) { return !owed.empty(); });
}

std::vector<Key> MultiLeaderNode::unacknowledged(int l) const
{
  std::vector<Key> keys;
  for (const auto& [key, counter] : unacked_.at(static_cast<std::size_t>(l)))
    keys.push_back(key);
  return keys;
}

void MultiLeaderNode::crash(Time)
{
  pending_.clear();  // their clients time out
  dirty_.clear();    // a batch not yet shipped (with acked syncs, still owed)
  sync_timer_set_ = false;
  resend_timer_set_ = false;
}

Ready MultiLeaderNode::recover(Time now)
{
  Ready out;
  if (peers_ != nullptr) {
    peers_->observe(now);
    peers_->advance(now);
    if (const Time next = peers_->next_conviction(); next != kNever)
      out.set_timer(kConvictionTimer, next);
  }
  for (std::size_t l = 0; l < seen_up_.size(); ++l) {
    seen_up_[l] = leader_up(static_cast<int>(l));
    if (seen_up_[l])
      resend(static_cast<int>(l), out);
  }
  arm_resend(now, out);
  return out;
}

Ready MultiLeaderNode::membership_changed(Time now)
{
  Ready out;
  if (peers_ != nullptr) {  // a failure counts once convicted
    peers_->observe(now);
    peers_->advance(now);
    if (const Time next = peers_->next_conviction(); next != kNever)
      out.set_timer(kConvictionTimer, next);
  }
  for (std::size_t l = 0; l < seen_up_.size(); ++l) {
    const bool up = leader_up(static_cast<int>(l));
    if (up && !seen_up_[l])
      resend(static_cast<int>(l), out);  // back: what it missed, without waiting for the timer
    seen_up_[l] = up;
  }
  arm_resend(now, out);
  return out;
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
                           const Membership* membership)
    : groups_(groups), random_(random), membership_(membership), by_latency_(groups.leaders)
{
  for (NodeId leader : groups.leaders)
    if (nearest_ == kNoNode || latency_to_node.at(leader) < latency_to_node.at(nearest_))
      nearest_ = leader;  // ties go to the earlier leader
  std::stable_sort(by_latency_.begin(), by_latency_.end(),
                   [&](NodeId a, NodeId b) { return latency_to_node.at(a) < latency_to_node.at(b); });
}

NodeId LeaderRouter::route(OpKind, UnitId, Rng& rng) const
{
  if (membership_ == nullptr)
    return random_ ? groups_.leaders[rng.below(groups_.leaders.size())] : nearest_;
  if (!random_) {
    for (NodeId leader : by_latency_)
      if (up(leader))
        return leader;
    return nearest_;  // every leader is down: the request is lost and times out
  }
  std::vector<NodeId> live;
  for (NodeId leader : groups_.leaders)
    if (up(leader))
      live.push_back(leader);
  const std::vector<NodeId>& from = live.empty() ? groups_.leaders : live;
  return from[rng.below(from.size())];
}

NodeId LeaderRouter::retry_target(OpKind kind, UnitId unit, NodeId previous, const Placement&, Rng& rng) const
{
  const auto& leaders = groups_.leaders;
  const auto at = std::find(leaders.begin(), leaders.end(), previous);
  if (at == leaders.end())
    return route(kind, unit, rng);
  const std::size_t start = static_cast<std::size_t>(at - leaders.begin());
  for (std::size_t i = 1; i <= leaders.size(); ++i) {
    const NodeId next = leaders[(start + i) % leaders.size()];
    if (up(next))
      return next;
  }
  return leaders[(start + 1) % leaders.size()];
}

}  // namespace replisim
