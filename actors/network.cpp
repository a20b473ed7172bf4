#include "actors/network.hpp"

#include <simgrid/Exception.hpp>

namespace replisim {

void Network::attach(Address address, sg4::Host* host, Handler handler)
{
  auto& table = address.is_node() ? nodes_ : clients_;
  if (table.size() <= static_cast<std::size_t>(address.index))
    table.resize(static_cast<std::size_t>(address.index) + 1);
  table[static_cast<std::size_t>(address.index)] = Endpoint{host, std::move(handler)};
}

Network::Endpoint& Network::endpoint(Address address)
{
  return (address.is_node() ? nodes_ : clients_).at(static_cast<std::size_t>(address.index));
}

void Network::dispatch(std::unique_ptr<Envelope> cargo, std::uint64_t size, double delay)
{
  if (!idle_.empty()) {
    Courier* c = idle_.back();
    idle_.pop_back();
    c->cargo = std::move(cargo);
    c->size = size;
    c->delay = delay;
    c->go->release();
    return;
  }
  // A new courier starts with its cargo and does not wait for `go`.
  Courier& c = couriers_.emplace_back();
  c.cargo = std::move(cargo);
  c.size = size;
  c.delay = delay;
  // Daemon: a courier waiting for work must not keep the simulation alive.
  sg4::Actor::create("courier", endpoint(c.cargo->from).host, [this, &c] { run_courier(c); })->daemonize();
}

void Network::send(std::vector<Envelope>& messages, const std::vector<std::uint64_t>& sizes)
{
  for (std::size_t i = 0; i < messages.size(); ++i) {
    auto cargo = std::make_unique<Envelope>(std::move(messages[i]));
    const double delay = delays_.empty() ? 0.0 : delays_.sample(kind_of(cargo->message), delay_rng_);
    if (delivering_ != nullptr && !delivering_->cargo) {
      // The courier running this step carries the message itself once the step returns.
      delivering_->cargo = std::move(cargo);
      delivering_->size = sizes[i];
      delivering_->delay = delay;
      continue;
    }
    dispatch(std::move(cargo), sizes[i], delay);
  }
}

void Network::run_courier(Courier& courier)
{
  for (;;) {
    if (!courier.cargo) {
      idle_.push_back(&courier);
      courier.go->acquire();
    }
    std::unique_ptr<Envelope> message = std::move(courier.cargo);
    Endpoint& to = endpoint(message->to);
    if (!to.host->is_on())
      continue;  // lost: nobody is there to receive it
    try {
      sg4::Comm::sendto(endpoint(message->from).host, to.host, courier.size);
    } catch (const simgrid::NetworkFailureException&) {
      continue;  // a host or link on the route failed during the transfer
    }
    if (courier.delay > 0)
      sg4::this_actor::sleep_for(courier.delay);
    delivering_ = &courier;
    to.handler(*message);
    delivering_ = nullptr;
  }
}

}  // namespace replisim
