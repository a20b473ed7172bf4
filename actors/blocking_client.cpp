#include "actors/blocking_client.hpp"

#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Semaphore.hpp>
#include "actors/activity.hpp"

namespace replisim {

namespace {
constexpr OpId kClientSpace = OpId{1} << 20;  // op ids: k-th call · 2^20 + client id, unique for a million clients
double now() { return sg4::Engine::get_clock(); }
}  // namespace

struct BlockingClient::Call {
  Completion op;
  sg4::SemaphorePtr answered = sg4::Semaphore::create(0);
};

BlockingClient::BlockingClient(ClientId id, Network& network, const MessageSizes& sizes, const Placement& placement,
                               const Router& router, Time timeout, std::uint64_t seed,
                               std::function<void(const Completion&)> sink)
    : id_(id), network_(network), sizes_(sizes), placement_(placement), router_(router), timeout_(timeout),
      routing_rng_(seed), sink_(std::move(sink))
{
}

Completion BlockingClient::call(OpKind kind, Key key)
{
  Call call;
  Completion& op = call.op;
  op.op = next_++ * kClientSpace + static_cast<OpId>(id_);
  op.client = id_;
  op.kind = kind;
  op.key = key;
  op.unit = placement_.unit_of(key);
  op.coordinator = router_.route(kind, op.unit, routing_rng_);
  op.primary = router_.primary(placement_, op.unit, op.coordinator);
  op.start = now();
  op.outcome = Outcome::timeout;
  waiting_.emplace(op.op, &call);
  // Transfers start from maestro, where their end is heard (activity.hpp).
  in_maestro([&] {
    Envelope request{self(), Address::node(op.coordinator),
                     kind == OpKind::write ? Message{ClientWrite{op.op, key}} : Message{ClientRead{op.op, key}}};
    const std::uint64_t size = sizes_.of(request.message);
    network_.send(std::move(request), size);
  });
  if (!call.answered->acquire_timeout(timeout_))
    op.end = now();  // answered: receive() filled the rest
  else
    op.end = op.start + timeout_;
  waiting_.erase(op.op);
  sink_(op);
  return op;
}

void BlockingClient::receive(Envelope&& message)
{
  const auto fill = [&](OpId id, bool ok, int acks, Version version, Time committed) {
    const auto it = waiting_.find(id);
    if (it == waiting_.end() || it->second->op.outcome != Outcome::timeout)
      return;  // a late reply after its timeout
    Completion& op = it->second->op;
    op.outcome = ok ? Outcome::ok : Outcome::failed;
    op.acks = acks;
    op.version = version;
    op.committed = committed;
    op.queued = message.queued;
    op.end = now();
    it->second->answered->release();
  };
  if (const auto* w = std::get_if<WriteReply>(&message.message))
    fill(w->op, w->ok, w->acks, w->version, w->committed);
  else if (const auto* r = std::get_if<ReadReply>(&message.message))
    fill(r->op, r->ok, r->ok ? 1 : 0, r->version, -1);
}

Time BlockingClient::oldest_outstanding() const
{
  return waiting_.empty() ? kNever : waiting_.begin()->second->op.start;
}

}  // namespace replisim
