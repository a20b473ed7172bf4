#include "actors/network.hpp"

namespace replisim {

void Network::attach(Address address, sg4::Host* host)
{
  auto& table = address.is_node() ? nodes_ : clients_;
  if (table.size() <= static_cast<std::size_t>(address.index))
    table.resize(static_cast<std::size_t>(address.index) + 1);
  table[static_cast<std::size_t>(address.index)].host = host;
}

Network::Endpoint& Network::endpoint(Address address)
{
  return (address.is_node() ? nodes_ : clients_).at(static_cast<std::size_t>(address.index));
}

void Network::send(Envelope envelope, std::uint64_t size)
{
  sg4::Host* from = endpoint(envelope.from).host;
  auto& idle = idle_[from];
  Courier* courier;
  if (idle.empty()) {
    courier = &couriers_.emplace_back();
    courier->host = from;
    // Daemon: a courier waiting for work must not keep the simulation alive.
    sg4::Actor::create("courier", from, [this, courier] { run_courier(*courier); })->daemonize();
  } else {
    courier = idle.back();
    idle.pop_back();
  }
  courier->cargo = std::make_unique<Envelope>(std::move(envelope));
  courier->size = size;
  courier->go->release();
}

void Network::run_courier(Courier& courier)
{
  for (;;) {
    courier.go->acquire();
    Endpoint& to = endpoint(courier.cargo->to);
    sg4::Comm::sendto(courier.host, to.host, courier.size);
    to.inbox.push_back(std::move(courier.cargo));
    to.arrived->release();
    idle_[courier.host].push_back(&courier);
  }
}

}  // namespace replisim
