#include "actors/network.hpp"

#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Host.hpp>
#include <simgrid/s4u/Link.hpp>

#include <algorithm>

#include "actors/platform_check.hpp"

namespace replisim {

void Network::attach(Address address, sg4::Host* host, Receiver& receiver)
{
  links_off();  // connects the count before any link can go off
  auto& table = address.is_node() ? nodes_ : clients_;
  if (table.size() <= static_cast<std::size_t>(address.index))
    table.resize(static_cast<std::size_t>(address.index) + 1);
  table[static_cast<std::size_t>(address.index)] = Endpoint{host, &receiver};
}

const Network::Endpoint& Network::endpoint(Address address) const
{
  return (address.is_node() ? nodes_ : clients_).at(static_cast<std::size_t>(address.index));
}

void Network::send(Envelope&& message, std::uint64_t size)
{
  const double delay = delays_.empty() ? 0.0 : delays_.sample(kind_of(message.message), delay_rng_);
  if (stopped_)
    return;
  const Endpoint& from = endpoint(message.from);
  const Endpoint& to = endpoint(message.to);
  if (!from.host->is_on() || !to.host->is_on() || (cut_ && cut_(message.from, message.to))) {
    lose(message);  // nobody is there to send or to receive it, or a partition is in the way
    return;
  }
  if (check_routes_ && !routed(from.host, to.host))
    return;  // lost: no route (SimGrid would abort the run); unreachable() says so
  if (links_off() > 0 && crosses_a_link_off(from.host, to.host)) {
    lose(message);  // SimGrid would start the transfer and never end it: the run could not drain
    return;
  }
  Transfer* t;
  if (free_.empty()) {
    t = &transfers_.emplace_back();
    t->network = this;
  } else {
    t = free_.back();
    free_.pop_back();
  }
  t->message = std::move(message);
  t->delay = delay;
  t->incarnation = to.receiver->incarnation();
  t->comm = sg4::Comm::sendto_init(from.host, to.host);
  t->comm->set_payload_size(size);
  ++in_flight_;
  ++carried_;
  in_flight_seen_ += in_flight_;
  start_activity(t->comm, *t);
}

// How many links are off now (a fault or a state profile), counted through
// SimGrid's signal, connected once for the process.
int Network::links_off()
{
  static int off = 0;
  static const bool connected = [] {
    sg4::Link::on_state_change_cb([](const sg4::Link& link) { off += link.is_on() ? -1 : 1; });
    return true;
  }();
  (void)connected;
  return off;
}

bool Network::crosses_a_link_off(const sg4::Host* from, const sg4::Host* to)
{
  if (from == to)
    return false;
  std::vector<sg4::Link*> links;
  double latency = 0;
  from->route_to(to, links, &latency);
  return std::any_of(links.begin(), links.end(), [](const sg4::Link* l) { return !l->is_on(); });
}

bool Network::routed(const sg4::Host* from, const sg4::Host* to)
{
  const auto [it, first_use] = routes_.try_emplace({from, to}, true);
  if (first_use) {
    // Both ways: SimGrid also routes the answer's cross traffic back.
    std::string problem = route_problem(from, to);
    if (problem.empty()) {
      problem = route_problem(to, from);
      if (!problem.empty())
        problem = "no route back: " + problem;
    }
    if (!problem.empty()) {
      it->second = false;
      if (unreachable_.empty())
        unreachable_ = "host '" + from->get_name() + "' cannot reach host '" + to->get_name() + "' (" + problem + ")";
    }
  }
  return it->second;
}

void Network::Transfer::activity_ended(bool ok)
{
  const sg4::CommPtr done = std::move(comm);  // keep it alive until this returns
  if (!ok || network->stopped_) {
    if (!network->stopped_)
      network->lose(message);  // a host or link on the route failed
    network->release(*this);
    return;
  }
  if (delay > 0)
    network->timers_.set(sg4::Engine::get_clock() + delay, *this, 0);
  else
    network->deliver(*this);
}

void Network::Transfer::timer_fired(std::uint64_t, std::uint64_t) { network->deliver(*this); }

void Network::deliver(Transfer& t)
{
  const Endpoint& to = endpoint(t.message.to);
  Envelope message = std::move(t.message);
  const bool receivable = to.host->is_on() && to.receiver->incarnation() == t.incarnation &&
                          !(cut_ && cut_(message.from, message.to));
  release(t);
  if (receivable)
    to.receiver->receive(std::move(message));
  else
    lose(message);
}

void Network::release(Transfer& t)
{
  --in_flight_;
  free_.push_back(&t);
}

void Network::stop()
{
  stopped_ = true;
  for (Transfer& t : transfers_)
    if (t.comm)
      cancel_activity(t.comm);  // ends it now (activity_ended, not ok)
}

}  // namespace replisim
