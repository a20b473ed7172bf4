#include "protocols/client.hpp"

#include <stdexcept>
#include <utility>

namespace replisim {

ClientMachine::ClientMachine(ClientConfig config, const Placement& placement, const Router& router,
                             Workload workload)
    : config_(config), placement_(placement), router_(router), workload_(std::move(workload)), rng_(config.seed),
      routing_rng_(derive_seed(config.seed, 1))
{
  if (config_.concurrency < 1)
    throw std::invalid_argument("--concurrency must be at least 1");
  if (config_.rate < 0)
    throw std::invalid_argument("--rate must not be negative");
}

Ready ClientMachine::start(Time now)
{
  Ready out;
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
  Completion op;
  op.op = issued_++ * static_cast<OpId>(config_.client_count) + static_cast<OpId>(config_.id);
  op.client = config_.id;
  op.kind = request.kind;
  op.key = request.key;
  op.unit = placement_.unit_of(request.key);
  op.coordinator = router_.route(request.kind, op.unit, routing_rng_);
  op.primary = router_.primary(placement_, op.unit, op.coordinator);
  op.start = now;
  if (request.kind == OpKind::write)
    out.send(self(), Address::node(op.coordinator), ClientWrite{op.op, op.key});
  else
    out.send(self(), Address::node(op.coordinator), ClientRead{op.op, op.key});
  out.set_timer(op.op, now + config_.timeout);
  outstanding_.emplace(op.op, op);
}

// `reply` is null for a timeout.
void ClientMachine::finish(const Envelope* reply, OpId id, Time now, Outcome outcome, int acks, Version version,
                           Time committed, Ready& out)
{
  auto node = outstanding_.extract(id);
  if (node.empty())
    return;  // a late reply after its timeout
  if (reply != nullptr)
    out.cancel_timer(id);
  Completion& op = node.mapped();
  op.queued = reply != nullptr ? reply->queued : 0;
  op.end = now;
  op.outcome = outcome;
  op.acks = acks;
  op.version = version;
  op.committed = committed;
  completed_.push_back(op);
  ++finished_;
}

Ready ClientMachine::step(const Envelope& in, Time now)
{
  Ready out;
  if (const auto* w = std::get_if<WriteReply>(&in.message))
    finish(&in, w->op, now, w->ok ? Outcome::ok : Outcome::failed, w->acks, w->version, w->committed, out);
  else if (const auto* r = std::get_if<ReadReply>(&in.message))
    finish(&in, r->op, now, r->ok ? Outcome::ok : Outcome::failed, r->ok ? 1 : 0, r->version, -1, out);
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
  finish(nullptr, id, now, Outcome::timeout, 0, 0, -1, out);
  fill_window(now, out);
  return out;
}

}  // namespace replisim
