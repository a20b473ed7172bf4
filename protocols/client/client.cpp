#include "protocols/client/client.hpp"

#include "protocols/common/setting_error.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>
#include <utility>

namespace replisim {

namespace {

constexpr int kMaxRetries = 100;  // attempt numbers fit in 7 bits

}  // namespace

NodeId Router::retry_target(OpKind, UnitId unit, NodeId previous, const Placement& placement, Rng&) const
{
  const auto replicas = placement.replicas(unit);
  const auto it = std::find(replicas.begin(), replicas.end(), previous);
  if (it == replicas.end() || std::next(it) == replicas.end())
    return replicas.front();
  return *std::next(it);
}

// Retry k waits retry_backoff·2^(k−1), at most retry_backoff_max (but never
// less than the first wait).
Time ClientMachine::backoff(int attempt) const
{
  return std::min(std::ldexp(config_.retry_backoff, attempt - 1),
                  std::max(config_.retry_backoff, config_.retry_backoff_max));
}

ClientMachine::ClientMachine(ClientConfig config, const Placement& placement, const Router& router,
                             Workload workload)
    : config_(config), placement_(placement), router_(router), workload_(std::move(workload)), rng_(config.seed),
      routing_rng_(derive_seed(config.seed, 1))
{
  if (config_.concurrency < 1)
    throw SettingError(Setting::concurrency, "must be at least 1");
  if (config_.rate < 0)
    throw SettingError(Setting::rate, "must not be negative");
  if (config_.retries < 0 || config_.retries > kMaxRetries)
    throw SettingError(Setting::retries, "must be between 0 and 100");
  if (!(config_.retry_backoff >= 0) || !std::isfinite(config_.retry_backoff))
    throw SettingError(Setting::retry_backoff, "must be a finite, non-negative time");
  if (!(config_.retry_backoff_max >= 0) || !std::isfinite(config_.retry_backoff_max))
    throw SettingError(Setting::retry_backoff, "its ceiling must be a finite, non-negative time");
  const LeaderDiscovery& d = config_.discovery;
  if (d.enabled && (!(d.min_refresh_interval > 0) || !(d.refresh_interval > 0) || !(d.leader_wait >= 0) ||
                    !(d.delivery_timeout > 0)))
    throw std::invalid_argument("leader discovery needs positive refresh intervals and timeouts");
  if (config_.client_count > 0 && config_.ops > kOpMask / static_cast<std::uint64_t>(config_.client_count))
    throw SettingError(Setting::ops, "too many operations for 55-bit op ids");
}

NodeId ClientMachine::leader_hint(UnitId unit) const
{
  if (config_.discovery.enabled)
    return view_.leader(unit);
  const auto it = leader_hints_.find(unit);
  return it == leader_hints_.end() ? kNoNode : it->second;
}

Ready ClientMachine::start(Time now)
{
  Ready out;
  if (config_.discovery.enabled && config_.discovery.refresh_interval != kNever && config_.ops > 0)
    out.set_timer(discovery_timer(DiscoveryTimer::periodic, 0), now + config_.discovery.refresh_interval);
  if (config_.rate > 0)
    schedule_arrival(now, out);
  else
    fill_window(now, out);
  return out;
}

void ClientMachine::fill_window(Time now, Ready& out)
{
  if (config_.rate > 0)
    return;  // open loop: arrivals, not completions, issue operations
  while (issued_ < config_.ops && outstanding_.size() < static_cast<std::size_t>(config_.concurrency))
    issue(now, out);
}

void ClientMachine::schedule_arrival(Time now, Ready& out)
{
  if (issued_ < config_.ops)
    out.set_timer(kArrivalTimer, now + rng_.exponential(1.0 / config_.rate));
}

void ClientMachine::issue(Time now, Ready& out)
{
  const OpRequest request = workload_.next(rng_);
  Outstanding o;
  Completion& op = o.op;
  op.op = issued_++ * static_cast<OpId>(config_.client_count) + static_cast<OpId>(config_.id);
  op.client = config_.id;
  op.kind = request.kind;
  op.key = request.key;
  op.unit = placement_.unit_of(request.key);
  op.coordinator = router_.route(request.kind, op.unit, routing_rng_);  // drawn even when a hint overrides it
  if (const NodeId hint = leader_hint(op.unit); hint != kNoNode && request.kind == OpKind::write)
    op.coordinator = hint;
  op.primary = router_.primary(placement_, op.unit, op.coordinator);
  op.start = now;
  o.target = op.coordinator;
  const OpId id = op.op;
  Outstanding& placed = outstanding_.emplace(id, std::move(o)).first->second;
  if (!discovers(placed.op.kind)) {
    send_attempt(placed, now, out);
    return;
  }
  view_.start(placed.op.unit, placement_.primary(placed.op.unit));
  if (config_.discovery.delivery_timeout != kNever)
    out.set_timer(discovery_timer(DiscoveryTimer::delivery, id), now + config_.discovery.delivery_timeout);
  dispatch(placed, now, out);
}

void ClientMachine::send_attempt(Outstanding& o, Time now, Ready& out)
{
  const Completion& op = o.op;
  if (op.kind == OpKind::write) {
    // One timestamp per operation, whatever its attempts: a driver sets it
    // when the statement is executed, and its retries carry it.
    const Time stamp = config_.clock_offset ? std::max(0.0, op.start + *config_.clock_offset) : -1;
    out.send(self(), Address::node(o.target), ClientWrite{op.op, op.key, stamp});
  } else {
    out.send(self(), Address::node(o.target), ClientRead{op.op, op.key});
  }
  out.set_timer(timeout_timer(op.op, op.attempts), now + config_.timeout);
}

namespace {

// Which write a reply names, and where it stands in its key's history.
void note_write_identity(Completion& op, const Message& reply)
{
  if (const auto* r = std::get_if<ReadReply>(&reply)) {
    op.write = r->write;
    op.term = r->term;
    op.uncommitted = r->ok && !r->committed;
  } else if (const auto* w = std::get_if<WriteReply>(&reply)) {
    op.term = w->term;
  }
}

}  // namespace

// `reply` is null for a timeout.
void ClientMachine::finish(const Envelope* reply, OpId id, Time now, Outcome outcome, int acks, Version version,
                           Time committed, Ready& out)
{
  auto node = outstanding_.extract(id);
  if (node.empty())
    return;  // a late reply after its timeout
  Outstanding& o = node.mapped();
  Completion& op = o.op;
  if (reply != nullptr && !o.waiting)
    out.cancel_timer(o.backing_off ? backoff_timer(id, op.attempts) : timeout_timer(id, op.attempts));
  if (discovers(op.kind)) {
    if (o.waiting)
      out.cancel_timer(discovery_timer(DiscoveryTimer::leader_wait, id));
    if (config_.discovery.delivery_timeout != kNever)
      out.cancel_timer(discovery_timer(DiscoveryTimer::delivery, id));
  }
  op.queued = reply != nullptr ? reply->queued : 0;
  op.end = now;
  op.outcome = outcome;
  op.acks = acks;
  op.version = version;
  op.committed = committed;
  if (reply != nullptr)
    note_write_identity(op, reply->message);
  completed_.push_back(op);
  ++finished_;
}

void ClientMachine::attempt_failed(OpId id, bool timed_out, NodeId hint, int acks, const Envelope* reply, Time now,
                                   Ready& out)
{
  Outstanding& o = outstanding_.at(id);
  Completion& op = o.op;
  if (discovers(op.kind)) {
    if (timed_out && op.kind == OpKind::write)
      o.maybe_committed = true;
    learn_from_failure(o, timed_out, o.target, hint, now, out);
  } else if (op.kind == OpKind::write && config_.retries > 0) {
    if (timed_out) {
      o.maybe_committed = true;     // it may have committed: an answer never came
      leader_hints_.erase(op.unit);  // the leader we knew of may be gone
    } else if (hint != kNoNode) {
      leader_hints_[op.unit] = hint;
    }
  }
  if (op.attempts <= config_.retries) {
    if (reply != nullptr)
      out.cancel_timer(timeout_timer(id, op.attempts));
    o.backing_off = true;
    out.set_timer(backoff_timer(id, op.attempts), now + backoff(op.attempts));
    return;
  }
  // The last attempt: refused means it did not commit, unless an earlier
  // attempt of a write timed out (then nobody knows).
  const Outcome outcome = timed_out || o.maybe_committed ? Outcome::timeout : Outcome::failed;
  if (reply == nullptr) {
    finish(nullptr, id, now, outcome, 0, 0, -1, out);
    return;
  }
  const auto* w = std::get_if<WriteReply>(&reply->message);
  if (w != nullptr)
    finish(reply, id, now, outcome, acks, w->version, w->committed, out);
  else
    finish(reply, id, now, outcome, acks, std::get<ReadReply>(reply->message).version, -1, out);
}

void ClientMachine::on_reply(const Envelope& in, OpId id, bool ok, int acks, Version version, Time committed,
                             NodeId hint, bool timed_out, Time now, Ready& out)
{
  const auto it = outstanding_.find(id);
  if (it == outstanding_.end())
    return;  // a late reply after the op ended
  Outstanding& o = it->second;
  const bool from_earlier = in.from.is_node() && in.from.index != o.target &&
                            std::find(o.earlier.begin(), o.earlier.end(), in.from.index) != o.earlier.end();
  if (ok) {
    // Whichever attempt it answers, the operation succeeded (a write committed).
    if (from_earlier) {
      o.op.coordinator = in.from.index;
      o.op.primary = router_.primary(placement_, o.op.unit, o.op.coordinator);
    }
    if (discovers(o.op.kind) && o.op.kind == OpKind::write && in.from.is_node())
      view_.acknowledged(o.op.unit, in.from.index);
    else if (o.op.kind == OpKind::write && config_.retries > 0 && in.from.is_node() && router_.acks_name_the_leader())
      leader_hints_[o.op.unit] = in.from.index;
    finish(&in, id, now, Outcome::ok, acks, version, committed, out);
    return;
  }
  if (o.backing_off || o.waiting || from_earlier)
    return;  // a refusal of an earlier attempt: the current one is what counts
  attempt_failed(id, timed_out, hint, acks, &in, now, out);
}

Ready ClientMachine::step(const Envelope& in, Time now)
{
  Ready out;
  if (const auto* w = std::get_if<WriteReply>(&in.message))
    on_reply(in, w->op, w->ok, w->acks, w->version, w->committed, w->leader, w->timed_out, now, out);
  else if (const auto* r = std::get_if<ReadReply>(&in.message))
    on_reply(in, r->op, r->ok, r->ok ? 1 : 0, r->version, -1, kNoNode, false, now, out);
  else if (const auto* info = std::get_if<LeaderInfo>(&in.message))
    on_leader_info(*info, in.from, now, out);
  fill_window(now, out);
  return out;
}

Ready ClientMachine::on_timer(TimerId id, Time now)
{
  Ready out;
  if (id == kArrivalTimer) {
    issue(now, out);
    schedule_arrival(now, out);
    return out;
  }
  if ((id & kDiscoveryBit) != 0) {
    on_discovery_timer(id, now, out);
    fill_window(now, out);
    return out;
  }
  const OpId op = id & kOpMask;
  const int attempt = static_cast<int>((id >> kAttemptShift) & 0x7f) + 1;
  const bool backoff = (id & kBackoffBit) != 0;
  if (auto it = outstanding_.find(op); it != outstanding_.end() && it->second.op.attempts == attempt) {
    Outstanding& o = it->second;
    if (backoff && o.backing_off) {
      // The retry: to the leader a refusal named, or the router's next choice.
      o.backing_off = false;
      o.earlier.push_back(o.target);
      Completion& c = o.op;
      ++c.attempts;
      if (discovers(c.kind)) {
        dispatch(o, now, out);
      } else {
        const NodeId hint = c.kind == OpKind::write ? leader_hint(c.unit) : kNoNode;
        o.target = hint != kNoNode ? hint : router_.retry_target(c.kind, c.unit, o.target, placement_, routing_rng_);
        c.coordinator = o.target;
        c.primary = router_.primary(placement_, c.unit, c.coordinator);
        send_attempt(o, now, out);
      }
    } else if (!backoff && !o.backing_off) {
      attempt_failed(op, true, kNoNode, 0, nullptr, now, out);
    }
  }
  fill_window(now, out);
  return out;
}

}  // namespace replisim
