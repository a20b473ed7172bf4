// MultiLeaderNode under partitions and crashes: acknowledged syncs (a zone
// cut off keeps taking local writes, and once the cut heals every leader
// converges, conflicts counted as usual), resends at once to a leader that
// comes back, durable debts across a crash, the messages of a run with
// acknowledged syncs off exactly as they were, and a router that skips
// leaders that are down.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "protocols/leaderless/leaderless.hpp"  // lww_version
#include "protocols/multi_leader/multi_leader.hpp"
#include "support/fake_network.hpp"
#include "support/fault_rig.hpp"
#include "support/leader_zones.hpp"

namespace replisim {
namespace multi_leader_fault_test {

using test::FakeNetwork;
using test::Faults;
using test::Host;
using test::is;
using test::is_any;
using test::is_poke;

using test::zones;

MultiLeaderConfig acked(Time retry = 1.0, Time interval = 0)
{
  MultiLeaderConfig c;
  c.replication_interval = interval;
  c.acked_sync = true;
  c.sync_retry = retry;
  return c;
}

struct Zones {
  Zones(LeaderGroups g, MultiLeaderConfig config) : groups(std::move(g))
  {
    int nodes = 0;
    for (std::size_t l = 0; l < groups.leaders.size(); ++l)
      nodes += 1 + static_cast<int>(groups.followers_of[l].size());
    membership = Membership::all_up(std::vector<int>(static_cast<std::size_t>(nodes), 0));
    for (NodeId n = 0; n < nodes; ++n) {
      machines.push_back(std::make_unique<MultiLeaderNode>(n, groups, config, &membership));
      hosts.push_back(std::make_unique<Host>(*machines.back()));
      net.add(Address::node(n), *hosts.back());
      faults.add(n, *hosts.back());
    }
    net.start_all();
  }

  MultiLeaderNode& leader(int l) { return *machines.at(groups.leaders.at(static_cast<std::size_t>(l))); }
  NodeId leader_node(int l) const { return groups.leaders.at(static_cast<std::size_t>(l)); }
  // Leader l takes a write from its client at once.
  void write(int l, OpId op, Key key)
  {
    net.inject({Address::client(l), Address::node(leader_node(l)), ClientWrite{op, key}});
    ASSERT_TRUE(net.deliver_first(is<ClientWrite>(Address::node(leader_node(l)))));
  }
  std::vector<WriteReply> replies(int l) const { return net.received<WriteReply>(Address::client(l)); }
  // Delivers everything, moving the clock on in steps until nothing is owed.
  void settle(Time until)
  {
    for (Time t = net.now(); t <= until; t += 0.25) {
      net.deliver_all();
      net.advance_to(t);
    }
    net.deliver_all();
  }

  LeaderGroups groups;
  Membership membership;
  std::vector<std::unique_ptr<MultiLeaderNode>> machines;
  std::vector<std::unique_ptr<Host>> hosts;
  FakeNetwork net;
  Faults faults{net, membership};
};

std::string str(const KeyRecord& r)
{
  std::string s = "key " + std::to_string(r.key) + " version " + std::to_string(r.version) + " seen";
  for (auto c : r.seen)
    s += " " + std::to_string(c);
  s += " writer";
  for (auto c : r.writer_seen)
    s += " " + std::to_string(c);
  return s;
}

std::map<Key, std::string> snapshot(const MultiLeaderNode& node)
{
  std::map<Key, std::string> out;
  for (const auto& [key, record] : node.records())
    out[key] = str(record);
  return out;
}

using WriteId = std::tuple<Key, int, std::uint64_t>;

// Every leader holds identical records and has applied, once each, every
// write any leader accepted.
void expect_leaders_converged(Zones& z)
{
  std::set<WriteId> accepted;
  for (int l = 0; l < static_cast<int>(z.groups.leaders.size()); ++l)
    for (const AcceptedWrite& w : z.leader(l).accepted())
      accepted.emplace(w.key, w.leader, w.counter);
  const auto reference = snapshot(z.leader(0));
  for (int l = 0; l < static_cast<int>(z.groups.leaders.size()); ++l) {
    EXPECT_EQ(snapshot(z.leader(l)), reference) << "leader " << l;
    std::set<WriteId> applied;
    for (const auto& [w, when] : z.leader(l).applied())
      EXPECT_TRUE(applied.emplace(w.key, w.leader, w.counter).second) << "leader " << l << " applied a write twice";
    EXPECT_EQ(applied, accepted) << "leader " << l;
    EXPECT_FALSE(z.leader(l).has_unacknowledged_syncs()) << "leader " << l;
  }
}

std::size_t conflicts(Zones& z)
{
  std::size_t n = 0;
  for (int l = 0; l < static_cast<int>(z.groups.leaders.size()); ++l)
    n += z.leader(l).conflicts().size();
  return n;
}

// A sync's acknowledgement travels the ack leg of the write path (for
// --delay and --service: kind ack) and carries no value.
TEST(MultiLeaderFaultTest, ASyncAcknowledgementIsAnAckOnTheWritePath)
{
  const Message ack = LeaderSyncAck{{{5, 2}, {6, 1}}};
  EXPECT_EQ(kind_of(ack), MessageKind::ack);
  EXPECT_TRUE(is_write_path(ack));
  EXPECT_EQ(values_in(ack), 0u);
}

// --- acknowledged syncs off: the messages of before --------------------------------

TEST(MultiLeaderFaultTest, WithAcknowledgedSyncsOffALostSyncIsNeverResentAndNothingElseIsSent)
{
  const MultiLeaderConfig defaults;
  EXPECT_FALSE(defaults.acked_sync);
  EXPECT_EQ(defaults.sync_retry, 1.0);
  Zones z(zones(2, 1), MultiLeaderConfig{});
  z.net.advance_to(1.0);
  z.write(0, 1, 9);
  // Exactly the messages of a write before: the follower's update, the
  // reply (w:1), the sync; no acknowledgement of the sync, no timer.
  std::vector<std::string> kinds;
  for (const Envelope& e : z.net.in_flight())
    kinds.push_back(std::holds_alternative<FollowerUpdate>(e.message) ? "update to " + std::to_string(e.to.index)
                    : std::holds_alternative<WriteReply>(e.message)   ? std::string("reply")
                                                                      : "sync to " + std::to_string(e.to.index));
  EXPECT_EQ(kinds, (std::vector<std::string>{"update to 1", "reply", "sync to 2"}));
  z.net.drop(is<LeaderSync>(Address::node(2)));
  z.settle(30.0);
  EXPECT_EQ(z.net.timers_pending(), 0u);
  EXPECT_TRUE(z.net.received<LeaderSyncAck>(Address::node(0)).empty());
  EXPECT_TRUE(z.leader(1).records().empty());  // diverged for good
  EXPECT_FALSE(z.leader(0).has_unacknowledged_syncs());
}

TEST(MultiLeaderFaultTest, WithAcknowledgedSyncsEverySyncIsAcknowledgedAndNothingIsResent)
{
  Zones z(zones(3, 1), acked());
  z.net.advance_to(1.0);
  z.write(0, 1, 9);
  z.write(1, 2, 9);
  z.settle(5.0);
  EXPECT_EQ(z.net.received<LeaderSyncAck>(Address::node(0)).size(), 2u);
  EXPECT_EQ(z.net.received<LeaderSyncAck>(Address::node(2)).size(), 2u);
  EXPECT_EQ(z.net.received<LeaderSync>(Address::node(4)).size(), 2u);  // one from each writer
  EXPECT_EQ(z.net.timers_pending(), 0u);
  expect_leaders_converged(z);
}

// --- a partitioned zone ---------------------------------------------------------------------

// Zone 2 (leader 4, follower 5 and client 2) is cut off from the rest while
// `cut` holds: messages across the cut are lost, messages inside a zone are
// not. (FakeNetwork::isolate would cut the zone's own client off too.)
void cut_off_zone(Zones& z, int zone, const bool& cut)
{
  const auto in_zone = [&z, zone](Address a) {
    if (!a.is_node())
      return a.index == zone;
    const NodeId leader = z.leader_node(zone);
    const auto& followers = z.groups.followers_of.at(static_cast<std::size_t>(zone));
    return a.index == leader || std::find(followers.begin(), followers.end(), a.index) != followers.end();
  };
  z.net.drop([&cut, in_zone](const Envelope& e) { return cut && in_zone(e.from) != in_zone(e.to); });
}

TEST(MultiLeaderFaultTest, AZoneCutOffKeepsWritingAndEveryLeaderConvergesAfterTheCutHeals)
{
  Zones z(zones(3, 1), acked(1.0));
  bool cut = true;
  cut_off_zone(z, 2, cut);
  OpId op = 1;
  for (int round = 0; round < 5; ++round) {
    z.net.advance_to(0.5 * round + 0.1);
    for (int l = 0; l < 3; ++l)
      z.write(l, op++, 1 + static_cast<Key>((round + l) % 3));  // the same three keys everywhere
    z.net.deliver_all();
  }
  // The cut-off zone answered its clients all along, and its follower kept up.
  ASSERT_EQ(z.replies(2).size(), 5u);
  for (const WriteReply& r : z.replies(2))
    EXPECT_TRUE(r.ok);
  z.settle(6.0);  // resends are lost while the cut lasts
  EXPECT_TRUE(z.leader(2).has_unacknowledged_syncs());
  EXPECT_TRUE(z.leader(0).has_unacknowledged_syncs());
  EXPECT_NE(snapshot(z.leader(2)), snapshot(z.leader(0)));
  EXPECT_EQ(snapshot(*z.machines.at(5)), snapshot(z.leader(2)));
  const std::size_t before = conflicts(z);

  cut = false;  // heals at 6: the next resends get through
  z.settle(9.0);
  expect_leaders_converged(z);
  EXPECT_GT(conflicts(z), before);  // the zone's writes met the others' on heal
  // Conflicts are counted as always: a leader counts each pair it resolved once.
  for (int l = 0; l < 3; ++l) {
    std::set<std::pair<Version, Version>> pairs(z.leader(l).conflicts().begin(), z.leader(l).conflicts().end());
    EXPECT_EQ(pairs.size(), z.leader(l).conflicts().size()) << "leader " << l;
  }
  z.settle(12.0);
  EXPECT_EQ(z.net.timers_pending(), 0u);  // nothing owed: the resend timer is not armed again
}

TEST(MultiLeaderFaultTest, AnAckOfAnOlderSyncLeavesALaterWriteOwed)
{
  Zones z(zones(2, 0), acked(10.0));
  z.net.advance_to(1.0);
  z.write(0, 1, 5);
  ASSERT_TRUE(z.net.deliver_first(is_any<LeaderSync>()));  // leader 1 has write 1; its ack is held back
  z.net.advance_to(2.0);
  z.write(0, 2, 5);
  EXPECT_EQ(z.leader(0).unacknowledged(1), std::vector<Key>{5});
  ASSERT_TRUE(z.net.deliver_first(is_any<LeaderSyncAck>()));  // the ack of write 1 only
  EXPECT_EQ(z.leader(0).unacknowledged(1), std::vector<Key>{5});
  z.net.deliver_all();
  EXPECT_TRUE(z.leader(0).unacknowledged(1).empty());
}

// --- crashes -------------------------------------------------------------------------------------

TEST(MultiLeaderFaultTest, ALeaderThatComesBackGetsWhatItMissedAtOnceAndNothingWhileDown)
{
  Zones z(zones(3, 1), acked(1.0));
  z.net.advance_to(1.0);
  z.faults.crash(z.leader_node(1));
  z.write(0, 1, 7);
  z.write(2, 2, 8);
  z.net.deliver_all();  // the syncs to leader 1 are lost
  const auto syncs_to_1 = [&] { return z.net.received<LeaderSync>(Address::node(z.leader_node(1))).size(); };
  const std::size_t lost = syncs_to_1();
  z.settle(5.0);
  EXPECT_EQ(syncs_to_1(), lost);  // no resend to a leader that is down
  EXPECT_TRUE(z.leader(1).records().empty());

  z.faults.recover(z.leader_node(1));  // at 5: the others resend at once, not at their next timer
  EXPECT_EQ(syncs_to_1(), lost);
  z.net.deliver_all();
  EXPECT_EQ(syncs_to_1(), lost + 2);
  EXPECT_EQ(z.net.now(), 5.0);
  expect_leaders_converged(z);
}

TEST(MultiLeaderFaultTest, ALeaderThatCrashesWithSyncsOwedResendsThemWhenItComesBack)
{
  // Batched: the write is acknowledged, then the leader crashes before its
  // batch leaves. The batch is lost with the crash; the debt is durable.
  Zones z(zones(2, 1), acked(1.0, 0.5));
  z.net.advance_to(1.0);
  z.write(0, 1, 3);
  z.net.deliver_all();
  ASSERT_EQ(z.replies(0).size(), 1u);
  EXPECT_TRUE(z.leader(0).has_unsent_writes());
  z.faults.crash(z.leader_node(0));
  EXPECT_FALSE(z.leader(0).has_unsent_writes());
  EXPECT_TRUE(z.leader(0).has_unacknowledged_syncs());
  z.net.advance_to(3.0);
  z.net.deliver_all();
  EXPECT_TRUE(z.leader(1).records().empty());

  z.faults.recover(z.leader_node(0));
  z.net.deliver_all();
  EXPECT_EQ(z.leader(1).records().size(), 1u);  // resent on recovery
  z.settle(5.0);
  expect_leaders_converged(z);
}

TEST(MultiLeaderFaultTest, ACrashLosesPendingWritesButNotRecords)
{
  MultiLeaderConfig c = acked();
  c.local_concern = WriteConcern::all;
  Zones z(zones(2, 2), c);
  z.net.advance_to(1.0);
  z.write(0, 1, 3);
  z.faults.crash(z.leader_node(0));  // before any follower acknowledged
  z.net.deliver_all();
  EXPECT_TRUE(z.replies(0).empty());  // the client will time out
  EXPECT_EQ(z.leader(0).records().size(), 1u);
  z.faults.recover(z.leader_node(0));
  z.settle(3.0);
  EXPECT_TRUE(z.replies(0).empty());  // the followers' acks found no pending write
  z.write(0, 2, 4);
  z.net.deliver_all();
  ASSERT_EQ(z.replies(0).size(), 1u);
  EXPECT_EQ(z.replies(0)[0].op, 2u);
  EXPECT_TRUE(z.replies(0)[0].ok);
  z.settle(6.0);
  expect_leaders_converged(z);
}

TEST(MultiLeaderFaultTest, AFollowerRefusingAWriteNamesItsLeader)
{
  Zones z(zones(2, 2), MultiLeaderConfig{});
  const Ready ready = z.machines.at(4)->step({Address::client(0), Address::node(4), ClientWrite{3, 1}}, 0);
  ASSERT_EQ(ready.messages.size(), 1u);
  const auto& reply = std::get<WriteReply>(ready.messages[0].message);
  EXPECT_FALSE(reply.ok);
  EXPECT_EQ(reply.leader, 3);
}

TEST(MultiLeaderFaultTest, AcknowledgedSyncsNeedAPositiveRetryInterval)
{
  const LeaderGroups groups = zones(2, 0);
  EXPECT_THROW(MultiLeaderNode(0, groups, acked(0.0)), std::invalid_argument);
  EXPECT_NO_THROW(MultiLeaderNode(0, groups, MultiLeaderConfig{WriteConcern::one, 0, false, 0.0}));
}

// --- the router ------------------------------------------------------------------------------------

TEST(MultiLeaderFaultTest, TheRouterPicksLiveLeadersAndRetriesAtTheNextLiveOne)
{
  LeaderGroups groups;
  groups.leaders = {0, 3, 6};
  groups.followers_of = {{1, 2}, {4, 5}, {7, 8}};
  Membership membership = Membership::all_up(std::vector<int>(9, 0));
  const std::vector<double> latency{0.003, 0, 0, 0.001, 0, 0, 0.002, 0, 0};
  const LeaderRouter nearest(groups, false, latency, &membership);
  const LeaderRouter random(groups, true, latency, &membership);
  const LeaderRouter legacy(groups, true, latency);
  const Placement placement = leader_follower_placement(9, 9);
  Rng rng(5), same(5);
  for (int i = 0; i < 30; ++i)  // everyone up: the draws of the router without a membership
    EXPECT_EQ(random.route(OpKind::write, 0, rng), legacy.route(OpKind::write, 0, same));
  EXPECT_EQ(nearest.route(OpKind::write, 0, rng), 3);
  EXPECT_EQ(nearest.retry_target(OpKind::write, 0, 3, placement, rng), 6);
  EXPECT_EQ(nearest.retry_target(OpKind::write, 0, 6, placement, rng), 0);
  membership.alive[3] = false;
  EXPECT_EQ(nearest.route(OpKind::write, 0, rng), 6);  // the nearest leader that is up
  EXPECT_EQ(nearest.retry_target(OpKind::write, 0, 0, placement, rng), 6);
  for (int i = 0; i < 50; ++i)
    EXPECT_NE(random.route(OpKind::write, 0, rng), 3);
}

}  // namespace multi_leader_fault_test
}  // namespace replisim
