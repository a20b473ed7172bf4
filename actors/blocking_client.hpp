// A client whose operations are calls from a SimGrid actor: write() and
// read() send the request and block the calling actor, in simulated time,
// until the reply comes or the timeout passes. This is how a program that
// uses replisim as a library reads and writes from its own actors. Several
// actors may share one client; each call waits for its own reply.
#pragma once
#include <functional>
#include <map>

#include "actors/network.hpp"
#include "actors/wire.hpp"
#include "protocols/client/client.hpp"

namespace replisim {

class BlockingClient final : public Receiver {
public:
  // `sink` hears of every finished call, in the order they finish.
  BlockingClient(ClientId id, Network& network, const MessageSizes& sizes, const Placement& placement,
                 const Router& router, Time timeout, std::uint64_t seed, std::function<void(const Completion&)> sink);

  // From an actor: blocks it until the operation ends.
  Completion call(OpKind kind, Key key);
  void receive(Envelope&& message) override;
  // When the oldest call still waiting started; kNever if none.
  Time oldest_outstanding() const;

private:
  struct Call;
  Address self() const { return Address::client(id_); }

  ClientId id_;
  Network& network_;
  const MessageSizes& sizes_;
  const Placement& placement_;
  const Router& router_;
  Time timeout_;
  Rng routing_rng_;
  std::function<void(const Completion&)> sink_;
  std::uint64_t next_ = 0;
  std::map<OpId, Call*> waiting_;  // op ids grow with time: the first is the oldest
};

}  // namespace replisim
