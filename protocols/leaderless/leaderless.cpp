#include "protocols/leaderless/leaderless.hpp"

#include <algorithm>
#include <cmath>

namespace replisim {

namespace {

constexpr OpId kRoundBits = 3;

OpId base_of(OpId request) { return request & ~kRoundBits; }
OpId round_of(OpId request) { return request & kRoundBits; }

bool is_repair(const Message& m)
{
  return std::holds_alternative<ValidationRequest>(m) || std::holds_alternative<MerkleTree>(m) ||
         std::holds_alternative<SyncRequest>(m) || std::holds_alternative<RepairStream>(m) ||
         std::holds_alternative<SyncComplete>(m);
}

}  // namespace

Version lww_version(Time now, NodeId coordinator)
{
  constexpr Version kNodeIdSpace = 1u << 14;  // 16,384 nodes
  return static_cast<Version>(std::llround(now * 1e9)) * kNodeIdSpace + static_cast<Version>(coordinator);
}

LeaderlessNode::LeaderlessNode(NodeId self, const Placement& placement, const Membership& membership,
                               LeaderlessConfig config)
    : self_(self), placement_(placement), membership_(membership), config_(config), snitch_(config.snitch),
      speculation_(config.speculative_retry, config.read_timeout)
{
  if (config.gossip) {
    gossip_.emplace(self, membership.node_count(), config.gossip_config, derive_seed(config.gossip_seed, 
                    static_cast<std::uint64_t>(self)), kGossipTimer);
    for (NodeId n = 0; n < membership.node_count(); ++n)
      if (!membership.alive[static_cast<std::size_t>(n)] && n != self)
        gossip_->convict_now(n, 0.0);  // never heard of: down for every node from the start
  }
  // Nodes down from the start have been down since the start.
  for (NodeId n = 0; n < membership.node_count(); ++n)
    if (seen_down(n))
      down_since_.emplace(n, 0.0);
}

Ready LeaderlessNode::start(Time now)
{
  Ready out;
  arm_repair(now, out);
  if (gossip_)
    gossip_->start(now, out);
  return out;
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
  count(out);
  return out;
}

// Node-to-node messages by path: a read's requests, answers, repair writes
// (request 0: asynchronous; round 2: blocking) and their acks; a write's
// copies, hint replays and their acks.
void LeaderlessNode::count(const Ready& out)
{
  for (const Envelope& e : out.messages) {
    if (!e.to.is_node())
      continue;
    if (is_repair(e.message)) {
      ++stats_.repair_messages;
      continue;
    }
    if (std::holds_alternative<GossipSyn>(e.message) || std::holds_alternative<GossipAck>(e.message)) {
      ++stats_.gossip_messages;
      continue;
    }
    bool read_path = false;
    if (const auto* w = std::get_if<ReplicaWrite>(&e.message))
      read_path = w->request == 0 || round_of(w->request) == kRepairRound;
    else if (const auto* a = std::get_if<ReplicaWriteAck>(&e.message))
      read_path = round_of(a->request) == kRepairRound;
    else
      read_path = std::holds_alternative<ReplicaRead>(e.message) || std::holds_alternative<ReplicaReadReply>(e.message);
    ++(read_path ? stats_.read_messages : stats_.write_messages);
    stats_.replica_reads += std::holds_alternative<ReplicaRead>(e.message) ? 1 : 0;
  }
}

LeaderlessNode::Request* LeaderlessNode::open(Address client, OpId client_op, Key key, bool is_write, Time now,
                                              Ready& out, Time stamp)
{
  const UnitId unit = placement_.unit_of(key);
  std::vector<int> replicas_per_zone(static_cast<std::size_t>(membership_.zone_count), 0);
  std::vector<int> live_per_zone(replicas_per_zone.size(), 0);
  for (NodeId n : placement_.replicas(unit)) {
    ++replicas_per_zone[static_cast<std::size_t>(membership_.zone[n])];
    live_per_zone[static_cast<std::size_t>(membership_.zone[n])] += seen_down(n) ? 0 : 1;
  }
  QuorumRule rule(is_write ? config_.write_level : config_.read_level, replicas_per_zone,
                  membership_.zone[self_]);
  if (!rule.achievable(live_per_zone)) {  // Cassandra's Unavailable
    if (is_write)
      out.send(self(), client, WriteReply{client_op, false, 0, 0});
    else
      out.send(self(), client, ReadReply{client_op, false, 0});
    return nullptr;
  }
  const OpId id = next_request_;
  next_request_ += 4;
  Request& r = requests_.emplace(id, Request{client, client_op, key, is_write, rule, now}).first->second;
  r.answers_per_zone.assign(replicas_per_zone.size(), 0);
  if (is_write) {
    r.newest = lww_version(stamp, self_);
    for (NodeId n : placement_.replicas(unit)) {
      if (seen_down(n)) {
        if (config_.hinted_handoff)
          keep_hint(n, key, r.newest, now, out);  // a hint never counts toward the level
        continue;
      }
      r.contacts.push_back({n, now});
      out.send(self(), Address::node(n), ReplicaWrite{id, key, r.newest});
    }
    out.set_timer(id, now + config_.write_timeout);
    return &r;
  }
  std::vector<NodeId> live;
  for (NodeId n : placement_.replicas(unit))
    if (!seen_down(n))
      live.push_back(n);
  if (config_.read_path == ReadPath::all) {
    for (NodeId n : live) {
      r.contacts.push_back({n, now});
      out.send(self(), Address::node(n), ReplicaRead{id, key});
    }
  } else {
    std::vector<NodeId> ranked = proximity_order(self_, live, membership_);
    snitch_.sort(ranked, now);
    std::vector<int> chosen(replicas_per_zone.size(), 0);
    for (NodeId n : ranked) {
      const int zone = membership_.zone[n];
      if (!rule.counts(zone))
        continue;  // LOCAL_QUORUM reads no other datacenter
      if (rule.helps(chosen, zone)) {
        ++chosen[static_cast<std::size_t>(zone)];
        r.contacts.push_back({n, now});
      } else {
        r.spare.push_back(n);
      }
    }
    send_reads(id, r, now, out);
  }
  out.set_timer(id, now + config_.read_timeout);
  return &r;
}

// Cassandra's read executors: one data request and digests for the rest
// (NeverSpeculating, Speculating); ALWAYS contacts one replica more from the
// start, the first two with data requests (AlwaysSpeculatingReadExecutor).
void LeaderlessNode::send_reads(OpId id, Request& r, Time now, Ready& out)
{
  const SpeculativeRetry& policy = config_.speculative_retry;
  const bool each_quorum = config_.read_level == Consistency::each_quorum;  // never speculates
  std::size_t data_requests = 1;
  if (policy.kind == SpeculativeRetry::Kind::always && !each_quorum && !r.spare.empty()) {
    r.contacts.push_back({r.spare.front(), now});
    r.spare.erase(r.spare.begin());
    data_requests = 2;
    ++stats_.speculative_retries;
  }
  for (std::size_t i = 0; i < r.contacts.size(); ++i)
    out.send(self(), Address::node(r.contacts[i].node), ReplicaRead{id, r.key, i >= data_requests});
  // Speculating only makes sense below the read timeout (Cassandra's
  // maybeTryAdditionalReplicas gives up when the threshold exceeds it).
  const Time wait = speculation_.threshold(now);
  if (!each_quorum && !r.spare.empty() && wait < config_.read_timeout)
    out.set_timer(id | kSpeculate, now + wait);
}

void LeaderlessNode::speculate(OpId id, Request& r, Time now, Ready& out)
{
  if (r.replied || r.round != kFirstRound || (r.data_present && r.rule.satisfied(r.answers_per_zone)))
    return;  // answered in time
  while (!r.spare.empty() && seen_down(r.spare.front()))
    r.spare.erase(r.spare.begin());
  if (r.spare.empty())
    return;
  const NodeId extra = r.spare.front();
  r.spare.erase(r.spare.begin());
  r.contacts.push_back({extra, now});
  // A digest if the data is in already, else the data (SpeculatingReadExecutor).
  out.send(self(), Address::node(extra), ReplicaRead{id, r.key, r.data_present});
  ++stats_.speculative_retries;
}

void LeaderlessNode::on(const ClientWrite& m, Address from, Time now, Ready& out)
{
  ++counters_.writes_led;
  ++stats_.writes;
  // The client's timestamp when it gave one, else the coordinator's clock.
  open(from, m.op, m.key, true, now, out, m.timestamp >= 0 ? m.timestamp : now);
}

void LeaderlessNode::on(const ClientRead& m, Address from, Time now, Ready& out)
{
  ++stats_.reads;
  open(from, m.op, m.key, false, now, out);
}

void LeaderlessNode::on(const ReplicaWrite& m, Address from, Time, Ready& out)
{
  Version& held = data_[m.key];
  if (m.version > held)
    held = m.version;
  ++out.persist;  // the commit log takes every write, newer or not
  if (from.index != self_)
    ++counters_.writes_replicated;
  if (m.request != 0)  // asynchronous read repair wants no answer
    out.send(self(), from, ReplicaWriteAck{m.request});
}

void LeaderlessNode::on(const ReplicaRead& m, Address from, Time, Ready& out)
{
  out.send(self(), from, ReplicaReadReply{m.request, version_of(m.key), m.digest});
}

void LeaderlessNode::on(const GossipSyn& m, Address from, Time now, Ready& out)
{
  if (gossip_)
    gossip_->on(m, from, now, out);
}

void LeaderlessNode::on(const GossipAck& m, Address from, Time now, Ready& out)
{
  if (!gossip_)
    return;
  gossip_->on(m, from, now, out);
  follow_verdicts(now, out);  // endpoints back are marked alive at an exchange
}

void LeaderlessNode::on(const ReplicaWriteAck& m, Address from, Time now, Ready& out)
{
  if (const auto hint = hint_deliveries_.find(m.request); hint != hint_deliveries_.end()) {
    const HintDelivery d = hint->second;
    hint_deliveries_.erase(hint);
    if (auto held = hints_.find(d.target); held != hints_.end()) {
      if (auto k = held->second.find(d.key); k != held->second.end() && k->second <= d.version) {
        held->second.erase(k);  // delivered: Cassandra deletes a hint once its replica took it
        ++stats_.hints_replayed;
      }
      if (held->second.empty())
        hints_.erase(held);
    }
    return;
  }
  const OpId id = base_of(m.request);
  auto it = requests_.find(id);
  if (it == requests_.end())
    return;  // answered and forgotten, or timed out
  Request& r = it->second;
  if (round_of(m.request) == kRepairRound) {
    if (r.round == kRepairRound && --r.repairs_pending == 0 && !r.replied)
      answer(r, now, out);
    forget_if_complete(id, r);
    return;
  }
  const auto c = std::find_if(r.contacts.begin(), r.contacts.end(), [&](const Contact& x) { return x.node == from.index; });
  if (c == r.contacts.end() || c->answered)
    return;
  c->answered = true;
  ++r.answered;
  ++r.answers_per_zone[static_cast<std::size_t>(membership_.zone[from.index])];
  if (!r.replied && r.rule.satisfied(r.answers_per_zone))
    answer(r, now, out);
  forget_if_complete(id, r);
}

void LeaderlessNode::on(const ReplicaReadReply& m, Address from, Time now, Ready& out)
{
  const OpId id = base_of(m.request);
  auto it = requests_.find(id);
  if (it == requests_.end())
    return;
  Request& r = it->second;
  const auto c = std::find_if(r.contacts.begin(), r.contacts.end(), [&](const Contact& x) { return x.node == from.index; });
  if (c == r.contacts.end() || round_of(m.request) != r.round || c->answered)
    return;  // an answer to an earlier round
  c->answered = true;
  c->version = m.version;
  // The dynamic snitch times every read answer, late ones too (ReadCallback
  // tracks latency for the snitch); a local read is not timed.
  if (from.index != self_)
    snitch_.record(from.index, now - c->asked_at, now);
  on_read_answer(id, r, *c, m, now, out);
  forget_if_complete(id, r);
}

void LeaderlessNode::on_read_answer(OpId id, Request& r, Contact& c, const ReplicaReadReply& m, Time now, Ready& out)
{
  if (config_.read_path == ReadPath::all) {
    if (r.replied) {
      if (config_.read_repair == ReadRepair::asynchronous && m.version < r.newest) {  // a late, older answer
        out.send(self(), Address::node(c.node), ReplicaWrite{0, r.key, r.newest});
        ++stats_.read_repairs;
      }
      return;
    }
    ++r.answers_per_zone[static_cast<std::size_t>(membership_.zone[c.node])];
    r.newest = std::max(r.newest, m.version);
    if (r.rule.satisfied(r.answers_per_zone)) {
      answer(r, now, out);
      if (config_.read_repair == ReadRepair::asynchronous)
        for (const Contact& x : r.contacts)
          if (x.answered && x.version < r.newest) {
            out.send(self(), Address::node(x.node), ReplicaWrite{0, r.key, r.newest});
            ++stats_.read_repairs;
          }
    }
    return;
  }
  if (r.replied || r.round == kRepairRound)
    return;
  ++r.answers_per_zone[static_cast<std::size_t>(membership_.zone[c.node])];
  if (!m.digest)
    r.data_present = true;
  if (r.rule.satisfied(r.answers_per_zone) && r.data_present)
    read_round_done(id, r, now, out);
}

// blockFor answers are in, the data among them (ReadCallback). First round:
// the digests match, or the full data is read from every contacted replica
// (DigestResolver.responsesMatch, then BlockingReadRepair.startRepair).
// Data round: the newest version wins and, with blocking read repair, the
// replicas that answered older get it before the client does
// (DataResolver, BlockingReadRepair.repairPartition and awaitWrites).
void LeaderlessNode::read_round_done(OpId id, Request& r, Time now, Ready& out)
{
  Version newest = 0;
  bool match = true;
  bool first = true;
  for (const Contact& x : r.contacts) {
    if (!x.answered)
      continue;
    match = match && (first || x.version == newest);
    newest = first ? x.version : std::max(newest, x.version);
    first = false;
  }
  r.newest = newest;
  if (r.round == kFirstRound) {
    if (match) {
      answer(r, now, out);
      return;
    }
    r.round = kDataRound;
    std::fill(r.answers_per_zone.begin(), r.answers_per_zone.end(), 0);
    for (Contact& x : r.contacts) {
      x.answered = false;
      x.asked_at = now;
      out.send(self(), Address::node(x.node), ReplicaRead{id | kDataRound, r.key, false});
    }
    return;
  }
  if (config_.read_repair == ReadRepair::blocking)
    for (const Contact& x : r.contacts)
      if (x.answered && x.version < newest) {
        out.send(self(), Address::node(x.node), ReplicaWrite{id | kRepairRound, r.key, newest});
        ++r.repairs_pending;
        ++stats_.read_repairs;
      }
  if (r.repairs_pending > 0)
    r.round = kRepairRound;
  else
    answer(r, now, out);
}

void LeaderlessNode::answer(Request& r, Time now, Ready& out)
{
  r.replied = true;
  if (r.is_write) {
    out.send(self(), r.client, WriteReply{r.client_op, true, r.newest, r.answered, now});
  } else {
    out.send(self(), r.client, ReadReply{r.client_op, true, r.newest});
    speculation_.record(now - r.opened, now);
  }
}

void LeaderlessNode::forget_if_complete(OpId id, const Request& r)
{
  // Kept until every replica asked has answered: a write's silent replicas
  // get hints when it times out, late read answers feed the snitch (and, on
  // the all path, read repair).
  if (!r.replied || r.repairs_pending > 0)
    return;
  if (std::all_of(r.contacts.begin(), r.contacts.end(), [](const Contact& x) { return x.answered; }))
    requests_.erase(id);
}

Ready LeaderlessNode::on_timer(TimerId timer, Time now)
{
  Ready out;
  if (timer == kRepairTimer) {
    start_repair(now, out);
    count(out);
    return out;
  }
  if (gossip_ && gossip_->is_round(timer)) {
    gossip_->round(now, out);
    follow_verdicts(now, out);
    count(out);
    return out;
  }
  if (timer == kHintDispatchTimer) {
    hint_timer_armed_ = false;
    for (const auto& [target, keys] : hints_)
      if (!seen_down(target))
        dispatch_hints(target, out);
    arm_hint_dispatch(now, out);
    count(out);
    return out;
  }
  const OpId id = base_of(timer);
  auto it = requests_.find(id);
  if (it == requests_.end())
    return out;
  Request& r = it->second;
  if (round_of(timer) == kSpeculate) {
    speculate(id, r, now, out);
    count(out);
    return out;
  }
  if (r.is_write)
    write_timed_out(r, now, out);
  if (!r.replied) {  // Cassandra's WriteTimeout / ReadTimeout
    if (r.is_write) {
      WriteReply timeout{r.client_op, false, 0, r.answered};
      timeout.timed_out = true;  // the client cannot tell whether it was applied
      out.send(self(), r.client, timeout);
    } else {
      out.send(self(), r.client, ReadReply{r.client_op, false, 0});
    }
  }
  requests_.erase(it);
  count(out);
  return out;
}

// --- failures and hinted handoff ---------------------------------------------

// "Hints are also stored for write requests that time out" (Cassandra's
// hinted handoff documentation): the callback of each silent replica expires.
void LeaderlessNode::write_timed_out(Request& r, Time now, Ready& out)
{
  if (!config_.hinted_handoff)
    return;
  for (const Contact& x : r.contacts)
    if (!x.answered)
      keep_hint(x.node, r.key, r.newest, now, out);
}

void LeaderlessNode::keep_hint(NodeId target, Key key, Version version, Time now, Ready& out)
{
  // StorageProxy.shouldHint: no hint once the replica has been down longer
  // than max_hint_window (a repair must bring it up to date); a replica seen
  // up (one that timed out) is always hinted.
  const auto down = down_since_.find(target);
  if (down != down_since_.end() && now - down->second >= config_.max_hint_window)
    return;
  Version& held = hints_[target][key];
  held = std::max(held, version);
  ++out.persist;  // hints are written to disk
  ++stats_.hints_written;
  arm_hint_dispatch(now, out);
}

void LeaderlessNode::arm_hint_dispatch(Time now, Ready& out)
{
  if (hint_timer_armed_ || hints_.empty())
    return;
  hint_timer_armed_ = true;
  out.set_timer(kHintDispatchTimer, now + config_.hint_dispatch_interval);
}

// Sends every hint held for `target`, each to be acknowledged; one that is
// not (the replica is still cut off) goes again at the next dispatch.
void LeaderlessNode::dispatch_hints(NodeId target, Ready& out)
{
  std::erase_if(hint_deliveries_, [&](const auto& d) { return d.second.target == target; });
  const auto it = hints_.find(target);
  if (it == hints_.end())
    return;
  for (const auto& [key, version] : it->second) {
    const OpId id = next_request_;
    next_request_ += 4;
    hint_deliveries_.emplace(id, HintDelivery{target, key, version});
    out.send(self(), Address::node(target), ReplicaWrite{id, key, version});
  }
}

void LeaderlessNode::follow_membership(Time now, Ready& out)
{
  for (NodeId n = 0; n < membership_.node_count(); ++n) {
    if (seen_down(n)) {
      down_since_.emplace(n, now);  // kept if it was down already
      continue;
    }
    const auto down = down_since_.find(n);
    if (down == down_since_.end())
      continue;
    // Back: hand it what it missed, however long it was away (the window
    // only stopped new hints).
    dispatch_hints(n, out);
    down_since_.erase(down);
  }
  arm_hint_dispatch(now, out);
}

// The run's faults tell the detector who stopped heartbeating and who is
// back (gossip.hpp: which endpoints it holds state for); its verdicts come
// later, from the status checks of its rounds.
void LeaderlessNode::tell_gossiper(Time now)
{
  for (NodeId n = 0; n < membership_.node_count(); ++n) {
    if (n == self_)
      continue;
    const bool down = !membership_.alive[static_cast<std::size_t>(n)];
    if (down && !gossip_->silent(n))
      gossip_->went_silent(n, now);
    else if (!down && (gossip_->silent(n) || gossip_->convicted(n)))
      gossip_->heard_again(n);
  }
}

// Gossiper's markDead and markAlive: a replica convicted is down from now
// (its hint window starts); one alive again gets its hints.
void LeaderlessNode::follow_verdicts(Time now, Ready& out)
{
  for (const Verdict& v : gossip_->take_verdicts()) {
    if (v.convicted) {
      down_since_.emplace(v.node, v.at);
      continue;
    }
    dispatch_hints(v.node, out);
    down_since_.erase(v.node);
  }
  arm_hint_dispatch(now, out);
}

void LeaderlessNode::crash(Time)
{
  if (gossip_)
    gossip_->crash();
  requests_.clear();  // their clients time out
  hint_deliveries_.clear();
  hint_timer_armed_ = false;  // the driver forgets the node's timers
  repair_ = RepairJob{};
}

Ready LeaderlessNode::recover(Time now)
{
  Ready out;
  if (gossip_) {
    // Back with no arrivals: the endpoints down now are convicted already,
    // as its peers' states say; the others are alive.
    for (NodeId n = 0; n < membership_.node_count(); ++n)
      if (n != self_ && !membership_.alive[static_cast<std::size_t>(n)])
        gossip_->convict_now(n, now);
    gossip_->take_verdicts();
    gossip_->start(now, out);
  }
  // What went down or came back while this node was down.
  for (NodeId n = 0; n < membership_.node_count(); ++n) {
    if (seen_down(n))
      down_since_.emplace(n, now);
    else
      down_since_.erase(n);
  }
  for (const auto& [target, keys] : hints_)
    if (!seen_down(target))
      dispatch_hints(target, out);
  arm_hint_dispatch(now, out);
  arm_repair(now, out);  // the driver forgot the timer: the next scheduled repair
  count(out);
  return out;
}

Ready LeaderlessNode::membership_changed(Time now)
{
  Ready out;
  if (gossip_)
    tell_gossiper(now);  // its verdicts come with its rounds
  else
    follow_membership(now, out);
  count(out);
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
