// The in-memory network the protocol tests stand on (fake_network.hpp):
// its bound on a livelock, drops, isolation, a seeded reorder and timers in
// deadline order. (FakeNetworkTest.ClientTimeoutsFireThroughTheNetwork, which
// needs a client, is in protocols/client/client_machine_test.cpp.)
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

#include "protocols/common/messages.hpp"
#include "protocols/common/state_machine.hpp"
#include "support/fake_network.hpp"

namespace replisim {
namespace fake_network_test {

using test::FakeNetwork;

// The op of a client request.
OpId op_of(const Envelope& e)
{
  if (const auto* w = std::get_if<ClientWrite>(&e.message))
    return w->op;
  return std::get<ClientRead>(e.message).op;
}

// Sends every message straight back: two of them never fall quiet.
class Bouncer final : public StateMachine {
public:
  Ready step(const Envelope& in, Time) override
  {
    Ready out;
    out.send(in.to, in.from, in.message);
    return out;
  }
};

// Sets timers at start and records when each fires.
class TimerRecorder final : public StateMachine {
public:
  explicit TimerRecorder(std::vector<TimerRequest> timers) : timers_(std::move(timers)) {}
  Ready start(Time) override
  {
    Ready out;
    for (const TimerRequest& t : timers_)
      out.set_timer(t.id, t.deadline);
    return out;
  }
  Ready step(const Envelope&, Time) override { return {}; }
  Ready on_timer(TimerId id, Time now) override
  {
    fired.push_back({id, now});
    return {};
  }
  std::vector<TimerRequest> fired;

private:
  std::vector<TimerRequest> timers_;
};

Envelope note(int from, int to, OpId op)
{
  return {Address::node(from), Address::node(to), ClientRead{op, 0}};
}

std::vector<OpId> ops_in_flight(const FakeNetwork& net)
{
  std::vector<OpId> ops;
  for (const Envelope& e : net.in_flight())
    ops.push_back(op_of(e));
  return ops;
}

TEST(FakeNetworkTest, DeliverAllBoundsALivelock)
{
  Bouncer a, b;
  FakeNetwork net;
  net.add(Address::node(0), a);
  net.add(Address::node(1), b);
  net.inject(note(0, 1, 1));
  EXPECT_THROW(net.deliver_all(50), std::runtime_error);
  EXPECT_EQ(net.delivered().size(), 50u);
}

TEST(FakeNetworkTest, DeliverAllCountsDeliveries)
{
  FakeNetwork net;
  for (OpId op = 0; op < 4; ++op)
    net.inject(note(0, 1, op));
  EXPECT_EQ(net.deliver_all(4), 4u);  // exactly the bound is not a livelock
  EXPECT_EQ(net.received<ClientRead>(Address::node(1)).size(), 4u);
}

TEST(FakeNetworkTest, DropCoversInFlightAndLaterMessages)
{
  FakeNetwork net;
  net.inject(note(0, 1, 1));
  net.inject(note(0, 2, 2));
  net.drop([](const Envelope& e) { return e.to == Address::node(1); });
  net.inject(note(0, 1, 3));
  net.inject(note(0, 2, 4));
  EXPECT_EQ(ops_in_flight(net), (std::vector<OpId>{2, 4}));
  EXPECT_EQ(net.dropped(), 2u);
}

TEST(FakeNetworkTest, IsolationCutsBothDirectionsUntilRecovered)
{
  FakeNetwork net;
  net.inject(note(0, 1, 1));
  net.isolate(Address::node(1));
  net.inject(note(1, 2, 2));
  net.inject(note(2, 1, 3));
  net.inject(note(0, 2, 4));
  EXPECT_EQ(ops_in_flight(net), (std::vector<OpId>{4}));
  net.recover(Address::node(1));
  net.inject(note(2, 1, 5));
  EXPECT_EQ(ops_in_flight(net), (std::vector<OpId>{4, 5}));
  EXPECT_EQ(net.dropped(), 3u);
}

TEST(FakeNetworkTest, ReorderIsAShuffleFixedBySeed)
{
  const auto shuffled = [](std::uint64_t seed) {
    FakeNetwork net;
    for (OpId op = 0; op < 10; ++op)
      net.inject(note(0, 1, op));
    net.reorder(seed);
    return ops_in_flight(net);
  };
  auto order = shuffled(5);
  EXPECT_EQ(order, shuffled(5));
  EXPECT_NE(order, shuffled(6));
  EXPECT_FALSE(std::is_sorted(order.begin(), order.end()));
  std::sort(order.begin(), order.end());
  EXPECT_EQ(order, (std::vector<OpId>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(FakeNetworkTest, AdvanceToFiresDueTimersInDeadlineOrder)
{
  TimerRecorder machine({{1, 3.0}, {2, 1.0}, {3, 2.0}, {4, 5.0}, {5, 2.0}});
  FakeNetwork net;
  net.add(Address::node(0), machine);
  net.start_all();
  net.advance_to(3.0);
  std::vector<TimerId> ids;
  std::vector<Time> times;
  for (const TimerRequest& t : machine.fired) {
    ids.push_back(t.id);
    times.push_back(t.deadline);
  }
  EXPECT_EQ(ids, (std::vector<TimerId>{2, 3, 5, 1}));  // equal deadlines: in the order set
  EXPECT_EQ(times, (std::vector<Time>{1.0, 2.0, 2.0, 3.0}));
  EXPECT_EQ(net.now(), 3.0);
  EXPECT_EQ(net.timers_pending(), 1u);
  net.advance_to(4.0);
  EXPECT_EQ(machine.fired.size(), 4u);
  EXPECT_EQ(net.now(), 4.0);
}
}  // namespace fake_network_test
}  // namespace replisim
