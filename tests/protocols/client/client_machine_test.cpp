// The workload's client (ClientMachine) with a stub router: closed and open
// loops, requests and replies, refusals and timeouts, seeds; and its
// timeouts firing through the fake network. The leader-based models'
// routing is in protocols/leader_follower/replica_router_test.cpp, the fake
// network's own tests in support/fake_network_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>
#include <vector>

#include "protocols/client/client.hpp"
#include "support/fake_network.hpp"

namespace replisim {
namespace client_machine_test {

using test::FakeNetwork;

// Writes to one node, reads to another, so a test sees the router obeyed.
class FixedRouter final : public Router {
public:
  FixedRouter(NodeId writes, NodeId reads) : writes_(writes), reads_(reads) {}
  NodeId route(OpKind kind, UnitId, Rng&) const override { return kind == OpKind::write ? writes_ : reads_; }

private:
  NodeId writes_, reads_;
};

// Routes reads to a random node, drawing from the client's generator as
// ReplicaRouter's secondary reads do.
class RandomReadRouter final : public Router {
public:
  NodeId route(OpKind kind, UnitId, Rng& rng) const override
  {
    return kind == OpKind::write ? 0 : static_cast<NodeId>(rng.below(2));
  }
};

// A datastore that answers at once: writes get consecutive versions.
class EchoServer final : public StateMachine {
public:
  Ready step(const Envelope& in, Time) override
  {
    Ready out;
    if (const auto* w = std::get_if<ClientWrite>(&in.message))
      out.send(in.to, in.from, WriteReply{w->op, true, ++versions_, 2});
    else if (const auto* r = std::get_if<ClientRead>(&in.message))
      out.send(in.to, in.from, ReadReply{r->op, true, versions_});
    return out;
  }

private:
  Version versions_ = 0;
};

Workload mixed_workload() { return Workload(KeyChooser(KeyDistribution::uniform, 1000), 0.5); }
Workload write_workload() { return Workload(KeyChooser(KeyDistribution::uniform, 1000), 0.0); }

ClientConfig closed_loop(std::uint64_t ops, int concurrency)
{
  ClientConfig config;
  config.ops = ops;
  config.concurrency = concurrency;
  config.seed = 1;
  return config;
}

ClientConfig open_loop(std::uint64_t ops, double rate)
{
  ClientConfig config = closed_loop(ops, 1);
  config.rate = rate;
  return config;
}

OpId op_of(const Envelope& e)
{
  if (const auto* w = std::get_if<ClientWrite>(&e.message))
    return w->op;
  return std::get<ClientRead>(e.message).op;
}

Envelope write_reply(OpId op, bool ok = true, Version version = 1, int acks = 2)
{
  return {Address::node(0), Address::client(0), WriteReply{op, ok, version, acks}};
}

// One client and two echo servers on a fake network.
struct ClientRig {
  explicit ClientRig(ClientConfig config, Workload workload = mixed_workload())
      : client(config, placement, router, std::move(workload))
  {
    net.add(Address::node(0), writes);
    net.add(Address::node(1), reads);
    net.add(Address::client(config.id), client);
    net.start_all();
  }

  // (kind, key) of every request, in the order the servers received them.
  std::vector<std::pair<OpKind, Key>> requests() const
  {
    std::vector<std::pair<OpKind, Key>> out;
    for (const Envelope& e : net.delivered()) {
      if (const auto* w = std::get_if<ClientWrite>(&e.message))
        out.emplace_back(OpKind::write, w->key);
      else if (const auto* r = std::get_if<ClientRead>(&e.message))
        out.emplace_back(OpKind::read, r->key);
    }
    return out;
  }

  Placement placement = leader_follower_placement(6, 3);
  FixedRouter router{0, 1};
  EchoServer writes, reads;
  ClientMachine client;
  FakeNetwork net;
};

TEST(ClientMachineTest, ClosedLoopKeepsConcurrencyOpsOutstanding)
{
  ClientRig rig(closed_loop(10, 3));
  std::uint64_t finished = 0;
  // Every outstanding op is exactly one request or one reply in flight.
  EXPECT_EQ(rig.net.in_flight().size(), 3u);
  while (rig.net.deliver_one()) {
    finished += rig.client.take_completed().size();
    EXPECT_EQ(rig.net.in_flight().size(), std::min<std::uint64_t>(3, 10 - finished)) << "after " << finished;
  }
  EXPECT_EQ(finished, 10u);
}

TEST(ClientMachineTest, ClosedLoopIssuesExactlyOpsInAll)
{
  ClientRig rig(closed_loop(7, 3));
  rig.net.deliver_all();
  EXPECT_EQ(rig.requests().size(), 7u);
  EXPECT_EQ(rig.client.take_completed().size(), 7u);

  ClientRig few(closed_loop(2, 5));  // a window wider than the run
  EXPECT_EQ(few.net.in_flight().size(), 2u);
  few.net.deliver_all();
  EXPECT_EQ(few.requests().size(), 2u);
}

TEST(ClientMachineTest, RequestsGoToTheRoutedNode)
{
  ClientRig rig(closed_loop(50, 4));
  rig.net.deliver_all();
  const auto writes = rig.net.received<ClientWrite>(Address::node(0)).size();
  const auto reads = rig.net.received<ClientRead>(Address::node(1)).size();
  EXPECT_EQ(writes + reads, 50u);
  EXPECT_TRUE(rig.net.received<ClientRead>(Address::node(0)).empty());
  EXPECT_TRUE(rig.net.received<ClientWrite>(Address::node(1)).empty());
  EXPECT_GT(writes, 0u);  // the mixed workload really mixed
  EXPECT_GT(reads, 0u);
}

TEST(ClientMachineTest, OpIdsInterleaveClients)
{
  ClientConfig config = closed_loop(5, 5);
  config.id = 2;
  config.client_count = 4;
  ClientRig rig(config);
  std::vector<OpId> ids;
  for (const Envelope& e : rig.net.in_flight())
    ids.push_back(op_of(e));
  EXPECT_EQ(ids, (std::vector<OpId>{2, 6, 10, 14, 18}));  // k·4 + 2
  rig.net.deliver_all();
  std::vector<OpId> done;
  for (const Completion& c : rig.client.take_completed()) {
    done.push_back(c.op);
    EXPECT_EQ(c.client, 2);
  }
  EXPECT_EQ(done, (std::vector<OpId>{2, 6, 10, 14, 18}));
}

TEST(ClientMachineTest, CompletionRecordsRoutingAndReply)
{
  const Placement placement = leader_follower_placement(6, 3);
  const FixedRouter router(4, 1);
  ClientMachine client(closed_loop(1, 1), placement, router, write_workload());
  const Ready start = client.start(0.5);
  ASSERT_EQ(start.messages.size(), 1u);
  EXPECT_EQ(start.messages[0].to, Address::node(4));
  const auto& request = std::get<ClientWrite>(start.messages[0].message);

  // The reply carries the queueing of its operation's critical path.
  client.step({Address::node(4), Address::client(0), WriteReply{request.op, true, 9, 3}, 0.125}, 0.75);
  const auto done = client.take_completed();
  ASSERT_EQ(done.size(), 1u);
  const Completion& c = done[0];
  EXPECT_EQ(c.op, 0u);
  EXPECT_EQ(c.kind, OpKind::write);
  EXPECT_EQ(c.key, request.key);
  EXPECT_EQ(c.unit, placement.unit_of(request.key));
  EXPECT_EQ(c.primary, placement.primary(c.unit));
  EXPECT_EQ(c.coordinator, 4);
  EXPECT_EQ(c.start, 0.5);
  EXPECT_EQ(c.end, 0.75);
  EXPECT_EQ(c.acks, 3);
  EXPECT_EQ(c.version, 9u);
  EXPECT_EQ(c.outcome, Outcome::ok);
  EXPECT_EQ(c.queued, 0.125);
}

TEST(ClientMachineTest, RefusedWriteEndsAsFailed)
{
  const Placement placement = leader_follower_placement(3, 3);
  const FixedRouter router(1, 1);
  ClientMachine client(closed_loop(1, 1), placement, router, write_workload());
  client.start(0);
  client.step(write_reply(0, false, 0, 0), 0.1);
  const auto done = client.take_completed();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].outcome, Outcome::failed);
  EXPECT_EQ(done[0].acks, 0);
}

TEST(ClientMachineTest, OpenLoopIssuesOnlyOnTheArrivalTimer)
{
  const Placement placement = leader_follower_placement(3, 3);
  const FixedRouter router(0, 0);
  ClientMachine client(open_loop(3, 10.0), placement, router, write_workload());

  const Ready start = client.start(0);
  EXPECT_TRUE(start.messages.empty());
  ASSERT_EQ(start.timers.size(), 1u);
  const TimerId arrival = start.timers[0].id;
  const Time first = start.timers[0].deadline;
  EXPECT_GT(first, 0.0);

  Ready a1 = client.on_timer(arrival, first);
  ASSERT_EQ(a1.messages.size(), 1u);
  EXPECT_EQ(op_of(a1.messages[0]), 0u);
  ASSERT_EQ(a1.timers.size(), 2u);  // the op's timeout and the next arrival
  EXPECT_EQ(a1.timers[0].id, 0u);
  EXPECT_EQ(a1.timers[0].deadline, first + 2.0);
  EXPECT_EQ(a1.timers[1].id, arrival);
  const Time second = a1.timers[1].deadline;
  EXPECT_GT(second, first);

  // Open loop ignores the window: a second op goes out while the first waits...
  const Ready a2 = client.on_timer(arrival, second);
  ASSERT_EQ(a2.messages.size(), 1u);
  EXPECT_EQ(op_of(a2.messages[0]), 1u);
  // ...and replies issue nothing, even once none is outstanding; each only
  // cancels its operation's timeout.
  const Ready r0 = client.step(write_reply(0), second);
  EXPECT_TRUE(r0.messages.empty());
  EXPECT_TRUE(r0.timers.empty());
  EXPECT_EQ(r0.cancelled_timers, std::vector<TimerId>{0});
  const Ready r1 = client.step(write_reply(1), second);
  EXPECT_TRUE(r1.messages.empty());
  EXPECT_EQ(r1.cancelled_timers, std::vector<TimerId>{1});

  const Ready a3 = client.on_timer(arrival, a2.timers[1].deadline);
  ASSERT_EQ(a3.messages.size(), 1u);
  ASSERT_EQ(a3.timers.size(), 1u);  // only the op's timeout: all 3 ops issued, no more arrivals
  EXPECT_EQ(a3.timers[0].id, 2u);
}

TEST(ClientMachineTest, OpenLoopInterArrivalsAreExponentialWithMeanOneOverRate)
{
  // For n exponential gaps of mean μ, the sample mean has standard deviation
  // μ/√n: 0.71% of μ at n = 20000, so the 4% bound is 5.6 σ (a correct
  // generator fails it with probability < 1e-7, whatever the seed). The sample
  // variance of an exponential has standard deviation √8·μ²/√n = 2% of μ² here,
  // so the 10% bound on variance/μ² is 5 σ; it rejects evenly spaced arrivals.
  constexpr std::uint64_t kArrivals = 20000;
  constexpr double kRate = 250.0;
  const Placement placement = leader_follower_placement(3, 3);
  const FixedRouter router(0, 0);
  ClientMachine client(open_loop(kArrivals, kRate), placement, router, write_workload());

  const TimerRequest first = client.start(0).timers.at(0);
  std::vector<double> gaps{first.deadline};
  Time now = first.deadline;
  for (std::uint64_t i = 0; i + 1 < kArrivals; ++i) {
    const Ready ready = client.on_timer(first.id, now);
    ASSERT_EQ(ready.messages.size(), 1u);
    const TimerRequest next = ready.timers.at(1);
    ASSERT_EQ(next.id, first.id);
    gaps.push_back(next.deadline - now);
    now = next.deadline;
  }
  double sum = 0;
  for (double g : gaps)
    sum += g;
  const double mean = sum / static_cast<double>(gaps.size());
  double squares = 0;
  for (double g : gaps)
    squares += (g - mean) * (g - mean);
  const double variance = squares / static_cast<double>(gaps.size() - 1);

  const double expected = 1.0 / kRate;
  EXPECT_NEAR(mean, expected, 0.04 * expected);
  EXPECT_NEAR(variance / (expected * expected), 1.0, 0.10);
}

TEST(ClientMachineTest, TimeoutEndsTheOpAndALateReplyIsIgnored)
{
  const Placement placement = leader_follower_placement(3, 3);
  const FixedRouter router(0, 0);
  ClientConfig config = closed_loop(2, 1);
  config.timeout = 2.0;
  ClientMachine client(config, placement, router, write_workload());
  const Ready start = client.start(0);
  ASSERT_EQ(start.timers.size(), 1u);
  EXPECT_EQ(start.timers[0].id, 0u);
  EXPECT_EQ(start.timers[0].deadline, 2.0);

  const Ready after_timeout = client.on_timer(0, 2.0);
  ASSERT_EQ(after_timeout.messages.size(), 1u);  // the window refills with op 1
  EXPECT_EQ(op_of(after_timeout.messages[0]), 1u);
  auto done = client.take_completed();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].op, 0u);
  EXPECT_EQ(done[0].outcome, Outcome::timeout);
  EXPECT_EQ(done[0].end, 2.0);
  EXPECT_EQ(done[0].acks, 0);
  EXPECT_EQ(done[0].version, 0u);

  EXPECT_TRUE(client.step(write_reply(0), 2.5).empty());
  EXPECT_TRUE(client.take_completed().empty());
  EXPECT_FALSE(client.done());  // op 1 still waits
  client.step(write_reply(1), 3.0);
  EXPECT_EQ(client.take_completed().size(), 1u);
  EXPECT_TRUE(client.done());
}

TEST(ClientMachineTest, TimerOfAnAnsweredOpIsIgnored)
{
  const Placement placement = leader_follower_placement(3, 3);
  const FixedRouter router(0, 0);
  ClientMachine client(closed_loop(1, 1), placement, router, write_workload());
  client.start(0);
  client.step(write_reply(0), 1.0);
  ASSERT_TRUE(client.done());
  EXPECT_TRUE(client.on_timer(0, 2.0).empty());
  EXPECT_TRUE(client.done());  // not counted twice
  const auto done = client.take_completed();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].outcome, Outcome::ok);
}

TEST(ClientMachineTest, DoneExactlyWhenAllOpsFinish)
{
  ClientRig rig(closed_loop(5, 2));
  std::uint64_t finished = 0;
  while (finished < 5) {
    EXPECT_FALSE(rig.client.done()) << "after " << finished;
    ASSERT_TRUE(rig.net.deliver_one());
    finished += rig.client.take_completed().size();
  }
  EXPECT_TRUE(rig.client.done());
  EXPECT_TRUE(rig.net.in_flight().empty());

  ClientRig none(closed_loop(0, 2));
  EXPECT_TRUE(none.client.done());
  EXPECT_TRUE(none.net.in_flight().empty());
}

TEST(ClientMachineTest, SameSeedSameOpsDifferentSeedDifferentOps)
{
  const auto run = [](std::uint64_t seed) {
    ClientConfig config = closed_loop(200, 4);
    config.seed = seed;
    ClientRig rig(config);
    rig.net.deliver_all();
    return rig.requests();
  };
  const auto a = run(42);
  ASSERT_EQ(a.size(), 200u);
  EXPECT_EQ(a, run(42));
  EXPECT_NE(a, run(43));
}

TEST(ClientMachineTest, RoutingDrawsDoNotShiftTheWorkload)
{
  // Runs that differ only in read routing must issue the same operations for
  // the same seed, so that comparing read preferences compares like with like.
  const auto run = [](const Router& router) {
    const Placement placement = leader_follower_placement(6, 3);
    ClientConfig config = closed_loop(200, 1);
    config.seed = 42;
    ClientMachine client(config, placement, router, mixed_workload());
    std::vector<std::pair<OpKind, Key>> ops;
    Ready ready = client.start(0);
    for (int i = 0; i < 200; ++i) {
      const Envelope& request = ready.messages.at(0);
      const OpId op = op_of(request);
      if (const auto* w = std::get_if<ClientWrite>(&request.message))
        ops.emplace_back(OpKind::write, w->key);
      else
        ops.emplace_back(OpKind::read, std::get<ClientRead>(request.message).key);
      ready = client.step(write_reply(op), 1.0);
    }
    return ops;
  };
  const FixedRouter fixed(0, 1);
  const RandomReadRouter random;
  EXPECT_EQ(run(fixed), run(random));
}

TEST(ClientMachineTest, RejectsAnEmptyWindowAndANegativeRate)
{
  const Placement placement = leader_follower_placement(3, 3);
  const FixedRouter router(0, 0);
  EXPECT_THROW(ClientMachine(closed_loop(1, 0), placement, router, write_workload()), std::invalid_argument);
  EXPECT_THROW(ClientMachine(open_loop(1, -1.0), placement, router, write_workload()), std::invalid_argument);
}

// FakeNetworkTest's one case that needs a client: a client's timers fire
// through the network (the rest are in support/fake_network_test.cpp).
TEST(FakeNetworkTest, ClientTimeoutsFireThroughTheNetwork)
{
  ClientConfig config = closed_loop(2, 1);
  config.timeout = 1.5;
  ClientRig rig(config);
  rig.net.drop([](const Envelope& e) { return std::holds_alternative<WriteReply>(e.message); });
  rig.net.drop([](const Envelope& e) { return std::holds_alternative<ReadReply>(e.message); });
  rig.net.deliver_all();
  rig.net.advance_to(1.5);  // op 0 times out; op 1 goes out at 1.5
  rig.net.deliver_all();
  rig.net.advance_to(10.0);
  const auto done = rig.client.take_completed();
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].outcome, Outcome::timeout);
  EXPECT_EQ(done[0].end, 1.5);
  EXPECT_EQ(done[1].start, 1.5);
  EXPECT_EQ(done[1].end, 3.0);
  EXPECT_TRUE(rig.client.done());
}

}  // namespace client_machine_test
}  // namespace replisim
