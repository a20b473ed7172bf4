#include "actors/machine_actor.hpp"

#include <memory>

namespace replisim {

MachineActor::MachineActor(StateMachine& machine, Address self, const Mailboxes& mailboxes,
                           const MessageSizes& sizes, Traffic& stats, std::function<bool()> after_input)
    : machine_(machine), self_(self), mailboxes_(mailboxes), sizes_(sizes), stats_(stats),
      after_input_(std::move(after_input))
{
}

void MachineActor::carry_out(Ready ready)
{
  for (Envelope& envelope : ready.messages) {
    const std::uint64_t size = sizes_.of(envelope.message);
    ++stats_.msgs_sent;
    stats_.bytes_sent += size;
    stats_.write_path_msgs_sent += is_write_path(envelope.message) ? 1 : 0;
    // Detached: the sender never waits for delivery. The clean function frees
    // a message that no one ever receives (its receiver ended first).
    mailboxes_.of(envelope.to)
        ->put_init(new Envelope(std::move(envelope)), size)
        ->detach([](void* payload) { delete static_cast<Envelope*>(payload); });
  }
  for (const TimerRequest& t : ready.timers)
    timers_.push({t.deadline, t.id});
}

void MachineActor::operator()()
{
  sg4::Mailbox* inbox = mailboxes_.of(self_);
  // Eager delivery: messages land in the inbox while this actor is busy,
  // instead of waiting for a matching get (SimGrid's rendezvous default).
  inbox->set_receiver(sg4::Actor::self());
  carry_out(machine_.start(sg4::Engine::get_clock()));
  if (!after_input_())
    return;

  Envelope* incoming = nullptr;
  sg4::CommPtr receive;
  for (;;) {
    if (!receive)
      receive = inbox->get_async<Envelope>(&incoming);
    bool delivered;
    if (timers_.empty()) {
      receive->wait();
      delivered = true;
    } else {
      const Time due = timers_.top().deadline;
      const double wait = std::max(0.0, due - sg4::Engine::get_clock());
      delivered = sg4::Comm::wait_any_for({receive}, wait) == 0;
      if (!delivered) {
        // Fire every timer due by the deadline waited for: comparing with the
        // clock could miss one by a rounding error.
        while (!timers_.empty() && timers_.top().deadline <= due) {
          const TimerId id = timers_.top().id;
          timers_.pop();
          carry_out(machine_.on_timer(id, sg4::Engine::get_clock()));
          if (!after_input_()) {
            receive->cancel();
            return;
          }
        }
        continue;
      }
    }
    receive = nullptr;
    std::unique_ptr<Envelope> message(incoming);
    ++stats_.msgs_received;
    carry_out(machine_.step(*message, sg4::Engine::get_clock()));
    if (!after_input_())
      return;
  }
}

}  // namespace replisim
