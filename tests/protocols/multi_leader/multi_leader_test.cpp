// MultiLeaderNode on the fake network: one leader per datacenter with its
// followers, local write concern, asynchronous leader-to-leader sync (at once
// or batched), version-vector conflict detection with last-writer-wins
// resolution, and the convergence and lost-update properties of issue 5.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "protocols/leaderless/leaderless.hpp"  // lww_version
#include "protocols/multi_leader/multi_leader.hpp"
#include "support/fake_network.hpp"
#include "support/leader_zones.hpp"

namespace replisim {
namespace {

using test::FakeNetwork;
using test::is;
using test::is_any;
using Vector = std::vector<std::uint64_t>;

// One stamp step: the next nanosecond at the same node id.
const Version kOneNs = lww_version(1e-9, 0);

using test::zones;

// Every node of the groups on one fake network. Leader i's clients write from
// Address::client(i); their replies are read from the network's trace.
struct Datacenters {
  explicit Datacenters(LeaderGroups g, MultiLeaderConfig config = {}) : groups(std::move(g))
  {
    for (std::size_t l = 0; l < groups.leaders.size(); ++l) {
      add(groups.leaders[l], config);
      for (NodeId f : groups.followers_of[l])
        add(f, config);
    }
    net.start_all();
  }

  MultiLeaderNode& node(NodeId n) { return *nodes.at(n); }
  MultiLeaderNode& leader(int l) { return node(groups.leaders.at(static_cast<std::size_t>(l))); }
  static Address client(int l) { return Address::client(l); }

  // Queues a write from leader l's client.
  void write(int l, OpId op, Key key)
  {
    net.inject({client(l), Address::node(groups.leaders.at(static_cast<std::size_t>(l))), ClientWrite{op, key}});
  }
  // Leader l takes a write at simulated time t, before anything else in flight.
  void write_at(Time t, int l, OpId op, Key key)
  {
    net.advance_to(t);
    write(l, op, key);
    ASSERT_TRUE(net.deliver_first([](const Envelope& e) { return std::holds_alternative<ClientWrite>(e.message); }));
  }
  std::vector<WriteReply> replies(int l) const { return net.received<WriteReply>(client(l)); }

  void add(NodeId n, MultiLeaderConfig config)
  {
    auto [it, fresh] = nodes.emplace(n, std::make_unique<MultiLeaderNode>(n, groups, config));
    net.add(Address::node(n), *it->second);
  }

  LeaderGroups groups;  // before the nodes, which keep a reference to it
  std::map<NodeId, std::unique_ptr<MultiLeaderNode>> nodes;
  FakeNetwork net;
};

template <typename T>
std::size_t in_flight_of(const FakeNetwork& net)
{
  return static_cast<std::size_t>(std::count_if(net.in_flight().begin(), net.in_flight().end(), is_any<T>()));
}

std::string str(const Vector& v)
{
  std::ostringstream out;
  out << '{';
  for (std::size_t i = 0; i < v.size(); ++i)
    out << (i == 0 ? "" : ",") << v[i];
  out << '}';
  return out.str();
}

// A record as one readable string, so that a mismatch prints both sides.
std::string str(const KeyRecord& r)
{
  std::ostringstream out;
  out << "key " << r.key << " version " << r.version << " seen " << str(r.seen) << " writer_seen "
      << str(r.writer_seen);
  return out.str();
}

std::map<Key, std::string> snapshot(const MultiLeaderNode& node)
{
  std::map<Key, std::string> out;
  for (const auto& [key, record] : node.records())
    out[key] = str(record);
  return out;
}

const KeyRecord& record(const MultiLeaderNode& node, Key key) { return node.records().at(key); }

using WriteId = std::tuple<Key, int, std::uint64_t>;  // (key, leader, counter)

std::set<WriteId> accepted_everywhere(Datacenters& dc)
{
  std::set<WriteId> out;
  for (int l = 0; l < static_cast<int>(dc.groups.leaders.size()); ++l)
    for (const AcceptedWrite& w : dc.leader(l).accepted())
      out.emplace(w.key, w.leader, w.counter);
  return out;
}

// Each write a node applied, checking it applied none twice.
std::set<WriteId> applied_at(const MultiLeaderNode& node)
{
  std::set<WriteId> out;
  for (const auto& [w, when] : node.applied())
    EXPECT_TRUE(out.emplace(w.key, w.leader, w.counter).second)
        << "applied twice: key " << w.key << " leader " << w.leader << " counter " << w.counter;
  return out;
}

// Issue 5: "acknowledged writes that no leader's final state contains and that
// were not superseded by a write that saw them".
std::vector<AcceptedWrite> lost_updates(Datacenters& dc)
{
  std::vector<AcceptedWrite> lost;
  const int leaders = static_cast<int>(dc.groups.leaders.size());
  for (int l = 0; l < leaders; ++l)
    for (const AcceptedWrite& w : dc.leader(l).accepted()) {
      bool kept = false;
      for (int m = 0; m < leaders; ++m) {
        const auto it = dc.leader(m).records().find(w.key);
        kept = kept || (it != dc.leader(m).records().end() &&
                        (it->second.version == w.version ||
                         it->second.writer_seen.at(static_cast<std::size_t>(w.leader)) >= w.counter));
      }
      if (!kept)
        lost.push_back(w);
    }
  return lost;
}

// After the network is quiet: every node, leader or follower, holds the same
// records as leader 0, and has applied every write any leader accepted.
void expect_converged(Datacenters& dc)
{
  const auto reference = snapshot(dc.leader(0));
  const auto accepted = accepted_everywhere(dc);
  for (const auto& [n, node] : dc.nodes) {
    EXPECT_EQ(snapshot(*node), reference) << "node " << n;
    EXPECT_EQ(applied_at(*node), accepted) << "node " << n;
  }
}

// --- one writing datacenter ------------------------------------------------

TEST(MultiLeaderTest, WritesFromOneLeaderOnlyReachEveryNodeWithoutConflicts)
{
  Datacenters dc(zones(3, 2));
  dc.write_at(1.0, 0, 1, 10);
  dc.write_at(2.0, 0, 2, 11);
  dc.write_at(3.0, 0, 3, 10);
  dc.net.deliver_all();

  ASSERT_EQ(dc.replies(0).size(), 3u);
  for (const auto& [n, node] : dc.nodes) {
    EXPECT_EQ(str(record(*node, 10)), str(KeyRecord{10, lww_version(3.0, 0), {2, 0, 0}, {2, 0, 0}})) << "node " << n;
    EXPECT_EQ(str(record(*node, 11)), str(KeyRecord{11, lww_version(2.0, 0), {1, 0, 0}, {1, 0, 0}})) << "node " << n;
    EXPECT_EQ(applied_at(*node), (std::set<WriteId>{{10, 0, 1}, {10, 0, 2}, {11, 0, 1}})) << "node " << n;
  }
  for (int l = 0; l < 3; ++l)
    EXPECT_TRUE(dc.leader(l).conflicts().empty()) << "leader " << l;
  EXPECT_TRUE(lost_updates(dc).empty());
}

// --- local write concern -----------------------------------------------------

TEST(MultiLeaderTest, WriteConcernOneRepliesInTheReadyOfTheClientWrite)
{
  Datacenters dc(zones(2, 2));
  const Ready ready = dc.leader(0).step({Datacenters::client(0), Address::node(0), ClientWrite{7, 42}}, 1.0);

  const KeyRecord written{42, lww_version(1.0, 0), {1, 0}, {1, 0}};
  std::vector<NodeId> updated;
  std::vector<NodeId> synced;
  int replies = 0;
  for (const Envelope& e : ready.messages) {
    if (const auto* u = std::get_if<FollowerUpdate>(&e.message)) {
      updated.push_back(e.to.index);
      EXPECT_NE(u->request, 0u);  // an answer is wanted
      EXPECT_EQ(str(u->record), str(written));
    } else if (const auto* s = std::get_if<LeaderSync>(&e.message)) {
      synced.push_back(e.to.index);
      ASSERT_EQ(s->records.size(), 1u);
      EXPECT_EQ(str(s->records[0]), str(written));
    } else {
      const auto& reply = std::get<WriteReply>(e.message);
      EXPECT_EQ(e.to, Datacenters::client(0));
      EXPECT_EQ(reply.op, 7u);
      EXPECT_TRUE(reply.ok);
      EXPECT_EQ(reply.version, lww_version(1.0, 0));
      EXPECT_EQ(reply.acks, 1);
      ++replies;
    }
  }
  EXPECT_EQ(replies, 1);
  EXPECT_EQ(updated, (std::vector<NodeId>{1, 2}));
  EXPECT_EQ(synced, (std::vector<NodeId>{3}));
}

TEST(MultiLeaderTest, MajorityOfLeaderAndTwoFollowersRepliesAfterOneFollowerAck)
{
  Datacenters dc(zones(2, 2), MultiLeaderConfig{WriteConcern::majority, 0});
  dc.write_at(1.0, 0, 1, 5);
  ASSERT_TRUE(dc.net.deliver_first(is_any<FollowerUpdate>()));
  ASSERT_TRUE(dc.net.deliver_first(is_any<FollowerUpdate>()));
  EXPECT_EQ(in_flight_of<FollowerAck>(dc.net), 2u);  // held back
  EXPECT_EQ(in_flight_of<WriteReply>(dc.net), 0u);

  ASSERT_TRUE(dc.net.deliver_first(is_any<FollowerAck>()));
  ASSERT_EQ(in_flight_of<WriteReply>(dc.net), 1u);
  dc.net.deliver_all();
  const auto replies = dc.replies(0);
  ASSERT_EQ(replies.size(), 1u);  // the second ack does not answer twice
  EXPECT_TRUE(replies[0].ok);
  EXPECT_EQ(replies[0].op, 1u);
  EXPECT_EQ(replies[0].version, lww_version(1.0, 0));
  EXPECT_EQ(replies[0].acks, 2);
}

TEST(MultiLeaderTest, AllRepliesOnlyAfterBothFollowerAcks)
{
  Datacenters dc(zones(2, 2), MultiLeaderConfig{WriteConcern::all, 0});
  dc.write_at(1.0, 0, 1, 5);
  ASSERT_TRUE(dc.net.deliver_first(is_any<FollowerUpdate>()));
  ASSERT_TRUE(dc.net.deliver_first(is_any<FollowerUpdate>()));
  ASSERT_TRUE(dc.net.deliver_first(is_any<FollowerAck>()));
  EXPECT_EQ(in_flight_of<WriteReply>(dc.net), 0u);

  ASSERT_TRUE(dc.net.deliver_first(is_any<FollowerAck>()));
  dc.net.deliver_all();
  const auto replies = dc.replies(0);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_TRUE(replies[0].ok);
  EXPECT_EQ(replies[0].acks, 3);
}

// --- conflicts -----------------------------------------------------------------

// Leader 1 (node 3) writes key 9 at t=1, leader 0 (node 0) at t=2; each takes
// its client's write before any LeaderSync arrives, so neither saw the other.
void concurrent_writes(Datacenters& dc)
{
  dc.write_at(1.0, 1, 1, 9);
  dc.write_at(2.0, 0, 2, 9);
  ASSERT_EQ(in_flight_of<LeaderSync>(dc.net), 2u);
  dc.net.deliver_all();
}

TEST(MultiLeaderTest, ConcurrentWritesConflictOnBothLeadersAndConvergeToTheLargerStamp)
{
  Datacenters dc(zones(2, 2));
  concurrent_writes(dc);

  const Version loser = lww_version(1.0, 3);
  const Version winner = lww_version(2.0, 0);
  ASSERT_LT(loser, winner);
  using Pairs = std::vector<std::pair<Version, Version>>;
  EXPECT_EQ(dc.leader(0).conflicts(), (Pairs{{loser, winner}}));
  EXPECT_EQ(dc.leader(1).conflicts(), (Pairs{{loser, winner}}));
  // Leader 0 kept its own write, leader 1 replaced its own: the winner is the
  // stamp's, not the order of arrival's.
  const std::string expected = str(KeyRecord{9, winner, {1, 1}, {1, 0}});
  for (const auto& [n, node] : dc.nodes)
    EXPECT_EQ(str(record(*node, 9)), expected) << "node " << n;
  expect_converged(dc);
}

TEST(MultiLeaderTest, CausallyOrderedWritesDoNotConflict)
{
  Datacenters dc(zones(2, 1));  // leaders 0 and 2
  dc.write_at(1.0, 0, 1, 9);
  dc.net.deliver_all();  // leader 0's sync reaches leader 1
  dc.write_at(2.0, 1, 2, 9);

  const KeyRecord expected{9, lww_version(2.0, 2), {1, 1}, {1, 1}};
  EXPECT_EQ(str(record(dc.leader(1), 9)), str(expected));
  dc.net.deliver_all();

  EXPECT_TRUE(dc.leader(0).conflicts().empty());
  EXPECT_TRUE(dc.leader(1).conflicts().empty());
  for (const auto& [n, node] : dc.nodes)
    EXPECT_EQ(str(record(*node, 9)), str(expected)) << "node " << n;
  expect_converged(dc);
}

// Writes from random leaders to keys 1 and 2, interleaved with deliveries in
// an order shuffled by `seed`, some at one instant and some later, so that
// writes both see and miss each other; then everything is delivered.
void shuffled_writes(Datacenters& dc, std::uint64_t seed, int writes)
{
  Rng rng(seed);
  const auto leaders = dc.groups.leaders.size();
  for (int op = 1; op <= writes; ++op) {
    if (rng.below(2) == 0)
      dc.net.advance_to(dc.net.now() + 1e-3);
    dc.write(static_cast<int>(rng.below(leaders)), static_cast<OpId>(op), 1 + rng.below(2));
    dc.net.reorder(rng.next());
    for (auto n = rng.below(5); n > 0 && dc.net.deliver_one(); --n) {
    }
  }
  dc.net.reorder(rng.next());
  dc.net.deliver_all();
}

TEST(MultiLeaderTest, ReorderedSyncsConvergeOnEveryNode)
{
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    Datacenters dc(zones(3, 1));
    shuffled_writes(dc, seed, 16);
    ASSERT_EQ(accepted_everywhere(dc).size(), 16u);
    expect_converged(dc);
  }
}

TEST(MultiLeaderTest, ReorderedSyncsReallyConflict)
{
  // The convergence test above would prove little if its writes never
  // conflicted: its first seed does produce conflicts.
  Datacenters dc(zones(3, 1));
  shuffled_writes(dc, 1, 16);
  std::size_t conflicts = 0;
  for (int l = 0; l < 3; ++l)
    conflicts += dc.leader(l).conflicts().size();
  EXPECT_GT(conflicts, 0u);
}

// Leader 2 (node 4) writes k; leader 0 (node 0) sees it and overwrites it;
// leader 1 (node 2) writes k concurrently with both. All at one instant, so the
// clock alone would rank leader 2's write above the one that superseded it.
TEST(MultiLeaderTest, AWriteSupersededByOneThatSawItCannotWinALaterConflict)
{
  Datacenters dc(zones(3, 1));
  dc.write_at(1.0, 2, 1, 9);  // a
  ASSERT_TRUE(dc.net.deliver_first(is<LeaderSync>(Address::node(0))));
  dc.write_at(1.0, 0, 2, 9);  // b, after a
  dc.write_at(1.0, 1, 3, 9);  // c, concurrent with a and b
  // Leader 2 learns c before b: it holds a, then meets c, then b.
  ASSERT_TRUE(dc.net.deliver_first(
      [](const Envelope& e) { return std::holds_alternative<LeaderSync>(e.message) && e.from == Address::node(2); }));
  dc.net.deliver_all();

  // b outranks a, the write it saw, though it was taken at the same instant by
  // a node with a smaller id: a causally later write gets a later stamp.
  const Version a = dc.replies(2).at(0).version;
  const Version b = dc.replies(0).at(0).version;
  const Version c = dc.replies(1).at(0).version;
  EXPECT_EQ(a, lww_version(1.0, 4));
  EXPECT_EQ(b, lww_version(1.0, 0) + kOneNs);
  EXPECT_EQ(c, lww_version(1.0, 2));
  for (int l = 0; l < 3; ++l)
    EXPECT_EQ(str(record(dc.leader(l), 9)), str(KeyRecord{9, b, {1, 1, 1}, {1, 0, 1}})) << "leader " << l;
  expect_converged(dc);
}

TEST(MultiLeaderTest, WritesAtOneInstantGetDistinctIncreasingStamps)
{
  // Two clients' writes can reach a leader at the same simulated instant; the
  // second must neither share the first's stamp nor fall below it.
  Datacenters dc(zones(2, 1));
  dc.write_at(1.0, 0, 1, 9);
  dc.write_at(1.0, 0, 2, 9);
  dc.write_at(1.0, 0, 3, 10);
  dc.net.deliver_all();
  const auto replies = dc.replies(0);
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0].version, lww_version(1.0, 0));
  EXPECT_EQ(replies[1].version, lww_version(1.0, 0) + kOneNs);
  EXPECT_EQ(replies[2].version, lww_version(1.0, 0) + 2 * kOneNs);
}

TEST(MultiLeaderTest, WriteAtTimeZeroByNodeZeroIsNotVersionZero)
{
  Datacenters dc(zones(2, 1));
  dc.write_at(0.0, 0, 1, 9);  // the clock's stamp would be 0, "never written"
  dc.net.deliver_all();
  EXPECT_EQ(dc.replies(0).at(0).version, kOneNs);
  EXPECT_EQ(record(dc.leader(0), 9).version, kOneNs);
}

// --- batching --------------------------------------------------------------------

TEST(MultiLeaderTest, BatchedReplicationSendsOneSyncOfEveryDirtyKeyWhenTheTimerFires)
{
  Datacenters dc(zones(2, 1), MultiLeaderConfig{WriteConcern::one, 0.5});
  dc.write_at(1.0, 0, 1, 10);
  dc.write_at(1.1, 0, 2, 11);
  dc.write_at(1.2, 0, 3, 10);
  dc.net.deliver_all();
  EXPECT_TRUE(dc.net.received<LeaderSync>(Address::node(2)).empty());
  EXPECT_TRUE(dc.leader(1).records().empty());
  EXPECT_TRUE(dc.leader(0).has_unsent_writes());
  EXPECT_EQ(dc.net.timers_pending(), 1u);  // one timer for the three writes

  dc.net.advance_to(1.5);
  ASSERT_EQ(dc.net.in_flight().size(), 1u);
  const auto& sync = std::get<LeaderSync>(dc.net.in_flight().front().message);
  ASSERT_EQ(sync.records.size(), 2u);
  EXPECT_EQ(str(sync.records[0]), str(KeyRecord{10, lww_version(1.2, 0), {2, 0}, {2, 0}}));
  EXPECT_EQ(str(sync.records[1]), str(KeyRecord{11, lww_version(1.1, 0), {1, 0}, {1, 0}}));
  EXPECT_FALSE(dc.leader(0).has_unsent_writes());
  dc.net.deliver_all();
  expect_converged(dc);

  // The next write arms the timer again.
  dc.write_at(2.0, 0, 4, 10);
  dc.net.deliver_all();
  EXPECT_EQ(dc.net.received<LeaderSync>(Address::node(2)).size(), 1u);
  dc.net.advance_to(2.5);
  dc.net.deliver_all();
  EXPECT_EQ(dc.net.received<LeaderSync>(Address::node(2)).size(), 2u);
}

TEST(MultiLeaderTest, ImmediateReplicationSendsOneSyncPerWrite)
{
  Datacenters dc(zones(2, 1));
  dc.write_at(1.0, 0, 1, 10);
  dc.write_at(1.1, 0, 2, 11);
  dc.write_at(1.2, 0, 3, 10);
  dc.net.deliver_all();

  EXPECT_EQ(dc.net.timers_pending(), 0u);
  const auto syncs = dc.net.received<LeaderSync>(Address::node(2));
  ASSERT_EQ(syncs.size(), 3u);
  std::vector<Key> keys;
  for (const LeaderSync& s : syncs) {
    ASSERT_EQ(s.records.size(), 1u);
    keys.push_back(s.records[0].key);
  }
  EXPECT_EQ(keys, (std::vector<Key>{10, 11, 10}));
}

// --- lost updates ------------------------------------------------------------------

TEST(MultiLeaderTest, ConcurrentConflictLosesExactlyTheLosingWrite)
{
  Datacenters dc(zones(2, 2));
  concurrent_writes(dc);

  const auto lost = lost_updates(dc);
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].key, 9u);
  EXPECT_EQ(lost[0].leader, 1);
  EXPECT_EQ(lost[0].counter, 1u);
  EXPECT_EQ(lost[0].version, lww_version(1.0, 3));
  EXPECT_EQ(dc.replies(1).at(0).version, lww_version(1.0, 3));  // and it was acknowledged
}

TEST(MultiLeaderTest, CausallyOverwrittenWriteIsNotLost)
{
  Datacenters dc(zones(2, 1));
  dc.write_at(1.0, 0, 1, 9);
  dc.net.deliver_all();
  dc.write_at(2.0, 1, 2, 9);
  dc.net.deliver_all();

  ASSERT_EQ(dc.leader(0).accepted().size(), 1u);
  EXPECT_NE(record(dc.leader(0), 9).version, dc.leader(0).accepted()[0].version);  // overwritten...
  EXPECT_TRUE(lost_updates(dc).empty());                                            // ...but not lost
}

// --- roles -------------------------------------------------------------------------

TEST(MultiLeaderTest, FollowerRefusesClientWrites)
{
  Datacenters dc(zones(2, 1));
  const Ready ready = dc.node(1).step({Datacenters::client(0), Address::node(1), ClientWrite{4, 9}}, 1.0);

  ASSERT_EQ(ready.messages.size(), 1u);
  EXPECT_EQ(ready.messages[0].to, Datacenters::client(0));
  const auto& reply = std::get<WriteReply>(ready.messages[0].message);
  EXPECT_EQ(reply.op, 4u);
  EXPECT_FALSE(reply.ok);
  EXPECT_TRUE(dc.node(1).records().empty());
  EXPECT_TRUE(dc.node(1).accepted().empty());
  EXPECT_FALSE(dc.node(1).is_leader());
}

TEST(MultiLeaderTest, ReadAtALeaderReturnsTheVersionItHolds)
{
  Datacenters dc(zones(2, 1));
  dc.write_at(1.0, 0, 1, 9);
  dc.net.deliver_all();

  const auto read = [&](int l, Key key) {
    const Ready ready = dc.leader(l).step({Datacenters::client(l), Address::node(0), ClientRead{8, key}}, 2.0);
    EXPECT_EQ(ready.messages.size(), 1u);
    return std::get<ReadReply>(ready.messages.at(0).message);
  };
  const ReadReply held = read(1, 9);  // the other leader, after the sync
  EXPECT_EQ(held.op, 8u);
  EXPECT_TRUE(held.ok);
  EXPECT_EQ(held.version, lww_version(1.0, 0));
  EXPECT_EQ(read(0, 9).version, lww_version(1.0, 0));
  EXPECT_EQ(read(0, 77).version, 0u);  // never written
}

TEST(MultiLeaderTest, FollowerKeepsTheLaterOfReorderedUpdates)
{
  Datacenters dc(zones(2, 1));
  dc.write_at(1.0, 0, 1, 9);
  dc.write_at(2.0, 0, 2, 9);
  // Both updates to follower 1 are in flight: deliver the later one first.
  const auto to_follower = is<FollowerUpdate>(Address::node(1));
  const auto later = [&](const Envelope& e) {
    return to_follower(e) && std::get<FollowerUpdate>(e.message).record.version == lww_version(2.0, 0);
  };
  ASSERT_TRUE(dc.net.deliver_first(later));
  ASSERT_TRUE(dc.net.deliver_first(to_follower));
  dc.net.deliver_all();

  EXPECT_EQ(str(record(dc.node(1), 9)), str(KeyRecord{9, lww_version(2.0, 0), {2, 0}, {2, 0}}));
  EXPECT_EQ(dc.net.received<FollowerAck>(Address::node(0)).size(), 2u);  // both acknowledged
}

}  // namespace
}  // namespace replisim
