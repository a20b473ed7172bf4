// Chain replication (van Renesse and Schneider, OSDI 2004) with CRAQ reads
// (Terrace and Freedman, USENIX ATC 2009) on the fake network: the update path
// head → … → tail, the tail's reply, acknowledgements back up the chain, and
// the invariants of §2 checked after every delivery.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "protocols/chain/chain.hpp"
#include "protocols/chain/chain_router.hpp"
#include "protocols/common/messages.hpp"
#include "support/fake_network.hpp"

namespace replisim {
namespace {

using test::FakeNetwork;
using test::is;
using test::is_any;

const Address kClient = Address::client(0);

// One ChainNode per node of `placement` on one fake network. Every delivery
// made through this fixture is followed by the invariant check.
struct Chains {
  explicit Chains(Placement p, ChainReads reads = ChainReads::tail) : placement(std::move(p))
  {
    for (NodeId n = 0; n < placement.node_count(); ++n) {
      nodes.push_back(std::make_unique<ChainNode>(n, placement, ChainConfig{reads}));
      net.add(Address::node(n), *nodes.back());
    }
    net.start_all();
  }
  Chains(int node_count, int rf, ChainReads reads = ChainReads::tail)
      : Chains(leader_follower_placement(node_count, rf), reads)
  {
  }

  ChainNode& node(NodeId n) { return *nodes.at(n); }
  void write(OpId op, Key key, NodeId to)
  {
    keys.insert(key);
    net.inject({kClient, Address::node(to), ClientWrite{op, key}});
  }
  void read(OpId op, Key key, NodeId to) { net.inject({kClient, Address::node(to), ClientRead{op, key}}); }
  std::vector<WriteReply> write_replies() const { return net.received<WriteReply>(kClient); }
  std::vector<ReadReply> read_replies() const { return net.received<ReadReply>(kClient); }

  bool deliver_first(const FakeNetwork::Match& match)
  {
    const bool delivered = net.deliver_first(match);
    if (delivered)
      check_invariants();
    return delivered;
  }
  bool deliver_one() { return deliver_first([](const Envelope&) { return true; }); }
  void deliver_all()
  {
    while (deliver_one()) {
    }
  }
  // Delivers everything in a random order: a fresh shuffle before each delivery.
  void deliver_all_shuffled(std::uint64_t seed)
  {
    while (!net.in_flight().empty()) {
      net.reorder(seed++);
      deliver_one();
    }
  }

  // §2's Update Propagation Invariant: for servers i ≤ j in a chain,
  // Hist_j ⪯ Hist_i (each node's updates are a prefix of its predecessor's).
  // Acknowledgements travel from the tail up, so each node's committed point
  // is at most its successor's, at most what the tail applied: no node ever
  // believes committed an update the tail has not applied. Committed points
  // and histories only grow.
  void check_invariants()
  {
    ++checks;
    if (::testing::Test::HasFailure())
      return;  // the first broken invariant says enough
    for (UnitId unit = 0; unit < placement.unit_count(); ++unit) {
      const auto chain = placement.replicas(unit);
      const ChainNode& tail = node(chain.back());
      EXPECT_EQ(tail.committed_seq(unit), tail.applied_seq(unit)) << "unit " << unit;
      for (std::size_t i = 0; i < chain.size(); ++i) {
        const ChainNode& n = node(chain[i]);
        const LogIndex applied = n.applied_seq(unit);
        const LogIndex committed = n.committed_seq(unit);
        EXPECT_LE(committed, applied) << "unit " << unit << " node " << chain[i];
        EXPECT_LE(committed, tail.applied_seq(unit)) << "unit " << unit << " node " << chain[i];
        auto& [last_applied, last_committed] = last[{chain[i], unit}];
        EXPECT_GE(applied, last_applied) << "node " << chain[i];
        EXPECT_GE(committed, last_committed) << "node " << chain[i];
        last_applied = applied;
        last_committed = committed;
        if (i + 1 == chain.size())
          continue;
        const ChainNode& next = node(chain[i + 1]);
        EXPECT_GE(applied, next.applied_seq(unit)) << "unit " << unit << " node " << chain[i];
        EXPECT_LE(committed, next.committed_seq(unit)) << "unit " << unit << " node " << chain[i];
        const auto& mine = n.log_of(unit);
        const auto& theirs = next.log_of(unit);
        EXPECT_TRUE(theirs.last_index() <= mine.last_index() &&
                    std::equal(theirs.begin(), theirs.end(), mine.begin(), [](const ChainEntry& a, const ChainEntry& b) {
                      return a.key == b.key && a.version == b.version;
                    }))
            << "node " << chain[i + 1] << "'s history is not a prefix of node " << chain[i] << "'s";
      }
    }
    for (Key key : keys) {
      const auto chain = placement.replicas(placement.unit_of(key));
      const Version at_tail = node(chain.back()).version_of(key);
      for (std::size_t i = 0; i < chain.size(); ++i) {
        EXPECT_LE(node(chain[i]).committed_version_of(key), at_tail) << "key " << key << " node " << chain[i];
        if (i + 1 < chain.size()) {
          EXPECT_GE(node(chain[i]).version_of(key), node(chain[i + 1]).version_of(key)) << "key " << key;
        }
      }
    }
  }

  Placement placement;  // before the nodes, which keep a reference to it
  std::vector<std::unique_ptr<ChainNode>> nodes;
  FakeNetwork net;
  std::set<Key> keys;  // every key written, for the per-key invariants
  std::map<std::pair<NodeId, UnitId>, std::pair<LogIndex, LogIndex>> last;  // applied, committed
  std::size_t checks = 0;
};

// The first key of `unit` at or after `from`.
Key key_in(const Placement& placement, UnitId unit, Key from = 0)
{
  while (placement.unit_of(from) != unit)
    ++from;
  return from;
}

struct MessageName {
  std::string operator()(const ClientWrite&) const { return "ClientWrite"; }
  std::string operator()(const ClientRead&) const { return "ClientRead"; }
  std::string operator()(const WriteReply&) const { return "WriteReply"; }
  std::string operator()(const ReadReply&) const { return "ReadReply"; }
  std::string operator()(const ChainForward& m) const { return "ChainForward#" + std::to_string(m.seq); }
  std::string operator()(const ChainAck& m) const { return "ChainAck#" + std::to_string(m.seq); }
  std::string operator()(const CommittedVersionQuery&) const { return "CommittedVersionQuery"; }
  std::string operator()(const CommittedVersionReply&) const { return "CommittedVersionReply"; }
  std::string operator()(const auto&) const { return "other model's message"; }
};

std::string address(Address a) { return (a.is_node() ? "node" : "client") + std::to_string(a.index); }

std::vector<std::string> trace(const FakeNetwork& net)
{
  std::vector<std::string> lines;
  for (const Envelope& e : net.delivered())
    lines.push_back(std::visit(MessageName{}, e.message) + " " + address(e.from) + "->" + address(e.to));
  return lines;
}

// The chain's messages travel the WARS legs their roles say: forwards down the
// chain are writes, acknowledgements up it are acks (both on a write's path);
// the CRAQ version query and its answer are a read and its response.
TEST(ChainTest, MessagesHaveTheKindsAndSizesOfTheirLegs)
{
  const Message forward = ChainForward{0, 1, 7, 1, Address::client(0), 3};
  const Message ack = ChainAck{0, 1};
  const Message query = CommittedVersionQuery{1, 0, 7};
  const Message reply = CommittedVersionReply{1, 0, 1};

  EXPECT_EQ(kind_of(forward), MessageKind::write);
  EXPECT_EQ(kind_of(ack), MessageKind::ack);
  EXPECT_EQ(kind_of(query), MessageKind::read);
  EXPECT_EQ(kind_of(reply), MessageKind::response);

  EXPECT_TRUE(is_write_path(forward));
  EXPECT_TRUE(is_write_path(ack));
  EXPECT_FALSE(is_write_path(query));
  EXPECT_FALSE(is_write_path(reply));

  EXPECT_EQ(values_in(forward), 1u);  // the update's value
  EXPECT_EQ(values_in(ack), 0u);
  EXPECT_EQ(values_in(query), 0u);
  EXPECT_EQ(values_in(reply), 0u);  // a version number, not a value
}

// §2: "each update request is directed to the head of the chain … processed
// there atomically and forwarded … until handled by the tail", and "the reply
// … is generated by the tail". The chain is the placement's order, here
// 2 → 0 → 1, not the nodes' numbering.
TEST(ChainTest, WriteGoesHeadMiddleTailAndTheTailReplies)
{
  Chains c(Placement(3, {{2, 0, 1}}));
  EXPECT_EQ(c.node(0).head_of(0), 2);
  EXPECT_EQ(c.node(0).tail_of(0), 1);
  const Key key = 42;
  c.write(7, key, 2);

  ASSERT_TRUE(c.deliver_one());  // the client's write, at the head
  ASSERT_TRUE(c.deliver_one());  // head → middle
  EXPECT_EQ(c.node(2).version_of(key), 1u);
  EXPECT_EQ(c.node(0).version_of(key), 1u);
  EXPECT_EQ(c.node(1).version_of(key), 0u);
  EXPECT_TRUE(c.write_replies().empty());  // nobody answers before the tail holds it

  ASSERT_TRUE(c.deliver_one());  // middle → tail
  for (NodeId n : {2, 0})  // dirty upstream: applied, not yet known committed
    EXPECT_EQ(c.node(n).committed_version_of(key), 0u) << "node " << n;
  EXPECT_EQ(c.node(1).committed_version_of(key), 1u);  // the tail commits on applying

  c.net.advance_to(0.25);
  c.deliver_all();
  EXPECT_EQ(trace(c.net), (std::vector<std::string>{
                              "ClientWrite client0->node2",
                              "ChainForward#1 node2->node0",
                              "ChainForward#1 node0->node1",
                              "WriteReply node1->client0",
                              "ChainAck#1 node1->node0",
                              "ChainAck#1 node0->node2",
                          }));
  const auto forwards = c.net.received<ChainForward>(Address::node(1));
  ASSERT_EQ(forwards.size(), 1u);
  EXPECT_EQ(forwards[0].client, kClient);  // so that the tail can answer
  EXPECT_EQ(forwards[0].op, 7u);
  EXPECT_EQ(forwards[0].key, key);
  EXPECT_EQ(forwards[0].version, 1u);

  const auto replies = c.write_replies();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].op, 7u);
  EXPECT_TRUE(replies[0].ok);
  EXPECT_EQ(replies[0].version, 1u);
  EXPECT_EQ(replies[0].acks, 3);  // the whole chain holds it
  EXPECT_EQ(replies[0].committed, 0.0);  // the tail replied before the clock moved

  for (NodeId n = 0; n < 3; ++n) {  // every node ends clean
    EXPECT_EQ(c.node(n).applied_seq(0), 1u) << "node " << n;
    EXPECT_EQ(c.node(n).committed_seq(0), 1u) << "node " << n;
    EXPECT_EQ(c.node(n).committed_version_of(key), 1u) << "node " << n;
  }
  EXPECT_EQ(c.checks, 6u);
}

TEST(ChainTest, TheReplyIsStampedWithTheTailsTimeOfCommit)
{
  Chains c(3, 3);
  c.write(1, 5, 0);
  c.deliver_first(is_any<ClientWrite>());
  c.deliver_first(is<ChainForward>(Address::node(1)));
  c.net.advance_to(1.5);
  c.deliver_all();
  ASSERT_EQ(c.write_replies().size(), 1u);
  EXPECT_EQ(c.write_replies()[0].committed, 1.5);
}

// §2 assumes FIFO links; random delays reorder messages, so each node holds
// updates that arrive ahead of a gap and applies the unit's sequence in order.
TEST(ChainTest, ReorderedWritesApplyInSequenceOnEveryNode)
{
  Chains c(8, 4);  // two chains of four: 0 → 1 → 2 → 3 and 4 → 5 → 6 → 7
  constexpr int kWrites = 40;
  std::map<Key, int> writes_of;
  for (int i = 0; i < kWrites; ++i) {
    const UnitId unit = i % 2;
    const Key key = key_in(c.placement, unit, static_cast<Key>(i % 5) * 1000);
    ++writes_of[key];
    c.write(static_cast<OpId>(i), key, c.placement.replicas(unit).front());
  }
  c.deliver_all_shuffled(2004);
  ASSERT_GT(c.checks, static_cast<std::size_t>(kWrites));

  // The shuffle really did deliver updates out of sequence to middles and
  // tails, or the test proves nothing.
  for (NodeId n : {1, 3, 5, 7}) {
    std::vector<LogIndex> arrival;
    for (const ChainForward& f : c.net.received<ChainForward>(Address::node(n)))
      arrival.push_back(f.seq);
    ASSERT_EQ(arrival.size(), static_cast<std::size_t>(kWrites / 2)) << "node " << n;
    EXPECT_FALSE(std::is_sorted(arrival.begin(), arrival.end())) << "node " << n;
  }

  for (UnitId unit = 0; unit < 2; ++unit) {
    const auto chain = c.placement.replicas(unit);
    const auto& head_log = c.node(chain.front()).log_of(unit);
    ASSERT_EQ(head_log.last_index(), static_cast<LogIndex>(kWrites / 2));
    for (NodeId n : chain) {
      const auto& log = c.node(n).log_of(unit);
      EXPECT_TRUE(std::equal(log.begin(), log.end(), head_log.begin(), head_log.end(),
                             [](const ChainEntry& a, const ChainEntry& b) {
                               return a.key == b.key && a.version == b.version;
                             }))
          << "node " << n;
      EXPECT_EQ(c.node(n).committed_seq(unit), static_cast<LogIndex>(kWrites / 2)) << "node " << n;
    }
  }
  for (const auto& [key, count] : writes_of)
    for (NodeId n : c.placement.replicas(c.placement.unit_of(key))) {
      EXPECT_EQ(c.node(n).version_of(key), static_cast<Version>(count)) << "key " << key << " node " << n;
      EXPECT_EQ(c.node(n).committed_version_of(key), static_cast<Version>(count)) << "key " << key;
    }

  std::vector<OpId> answered;
  for (const Envelope& e : c.net.delivered())
    if (const auto* r = std::get_if<WriteReply>(&e.message)) {
      EXPECT_TRUE(r->ok);
      EXPECT_EQ(r->acks, 4);
      EXPECT_TRUE(e.from == Address::node(3) || e.from == Address::node(7));  // a tail
      answered.push_back(r->op);
    }
  std::sort(answered.begin(), answered.end());
  ASSERT_EQ(answered.size(), static_cast<std::size_t>(kWrites));
  EXPECT_EQ(std::adjacent_find(answered.begin(), answered.end()), answered.end());  // each once
}

TEST(ChainTest, EarlyUpdateWaitsForTheGapAndDuplicatesAreIgnored)
{
  Chains c(3, 3);
  ChainNode& middle = c.node(1);
  const Address head = Address::node(0);
  const auto forward = [](LogIndex seq, Key key) { return ChainForward{0, seq, key, 1, kClient, seq}; };

  const Ready ahead = middle.step({head, Address::node(1), forward(2, 8)}, 0);
  EXPECT_TRUE(ahead.empty());  // held: neither applied nor passed on
  EXPECT_EQ(middle.applied_seq(0), 0u);
  EXPECT_EQ(middle.version_of(8), 0u);

  const Ready gap = middle.step({head, Address::node(1), forward(1, 7)}, 0);
  ASSERT_EQ(gap.messages.size(), 2u);
  EXPECT_EQ(gap.persist, 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(gap.messages[i].to, Address::node(2));
    EXPECT_EQ(std::get<ChainForward>(gap.messages[i].message).seq, i + 1);  // passed on in sequence
  }
  EXPECT_EQ(middle.applied_seq(0), 2u);
  EXPECT_EQ(middle.log_of(0).at(1).key, 7u);
  EXPECT_EQ(middle.log_of(0).at(2).key, 8u);

  EXPECT_TRUE(middle.step({head, Address::node(1), forward(1, 7)}, 0).empty());  // a duplicate
  EXPECT_TRUE(middle.step({Address::node(2), Address::node(1), forward(3, 9)}, 0).empty());  // not the predecessor
  EXPECT_EQ(middle.applied_seq(0), 2u);
  EXPECT_EQ(middle.counters().writes_replicated, 2u);
}

// Acknowledgements are cumulative: a late, lower one neither lowers the
// committed point nor travels further up.
TEST(ChainTest, LateLowerAckIsNotPassedUp)
{
  Chains c(3, 3);
  c.write(1, 5, 0);
  c.write(2, 6, 0);
  while (c.deliver_first(is_any<ClientWrite>()) || c.deliver_first(is_any<ChainForward>())) {
  }
  ASSERT_EQ(c.node(2).applied_seq(0), 2u);
  const auto ack_to_middle = [](LogIndex seq) {
    return [seq](const Envelope& e) {
      const auto* a = std::get_if<ChainAck>(&e.message);
      return a != nullptr && a->seq == seq && e.to == Address::node(1);
    };
  };
  ASSERT_TRUE(c.deliver_first(ack_to_middle(2)));
  EXPECT_EQ(c.node(1).committed_seq(0), 2u);
  ASSERT_TRUE(c.deliver_first(ack_to_middle(1)));
  EXPECT_EQ(c.node(1).committed_seq(0), 2u);
  c.deliver_all();

  const auto at_head = c.net.received<ChainAck>(Address::node(0));
  ASSERT_EQ(at_head.size(), 1u);
  EXPECT_EQ(at_head[0].seq, 2u);
  EXPECT_EQ(c.node(0).committed_seq(0), 2u);
  EXPECT_EQ(c.node(0).committed_version_of(5), 1u);
  EXPECT_EQ(c.node(0).committed_version_of(6), 1u);
}

TEST(ChainTest, AckFromANodeOtherThanTheSuccessorIsIgnored)
{
  Chains c(3, 3);
  c.net.drop(is_any<ChainAck>());  // no genuine ack: the test forges them
  c.write(1, 5, 0);
  c.deliver_all();
  ASSERT_EQ(c.node(0).committed_seq(0), 0u);

  EXPECT_TRUE(c.node(0).step({Address::node(2), Address::node(0), ChainAck{0, 1}}, 0).empty());
  EXPECT_TRUE(c.node(0).step({Address::node(1), Address::node(0), ChainAck{0, 2}}, 0).empty());  // never applied
  EXPECT_EQ(c.node(0).committed_seq(0), 0u);
  EXPECT_TRUE(c.node(0).step({Address::node(1), Address::node(0), ChainAck{0, 1}}, 0).empty());  // the head passes it nowhere
  EXPECT_EQ(c.node(0).committed_seq(0), 1u);
  EXPECT_EQ(c.node(0).committed_version_of(5), 1u);
}

// Strong consistency (§2: queries are "processed … at the tail", which holds
// only updates every replica has): a read never returns a version older than
// the newest write of its key acknowledged before the read began. CRAQ keeps
// that guarantee (CRAQ §2.3) while reading at every replica. Writes, reads and
// deliveries interleave at random, each delivery picked from a fresh shuffle.
void expect_reads_never_older_than_acknowledged_writes(ChainReads reads, std::uint64_t seed)
{
  Chains c(3, 3, reads);
  Rng rng(seed);
  constexpr Key kKeys = 3;
  std::map<OpId, Key> key_of;     // every operation's key
  std::map<OpId, Version> floor;  // per read: the newest acknowledged version of its key when it began
  int stale_at_middle = 0;  // reads node 1's committed version alone would have answered stale
  OpId next_op = 0;
  for (int step = 0; step < 800; ++step) {
    const std::uint64_t draw = rng.below(10);
    const Key key = rng.below(kKeys);
    if (draw < 2) {
      key_of[next_op] = key;
      c.write(next_op++, key, 0);
    } else if (draw < 4) {
      Version newest = 0;
      for (const WriteReply& r : c.write_replies())
        if (key_of.at(r.op) == key)
          newest = std::max(newest, r.version);
      stale_at_middle += c.node(1).committed_version_of(key) < newest ? 1 : 0;
      key_of[next_op] = key;
      floor[next_op] = newest;
      c.read(next_op++, key, reads == ChainReads::tail ? 2 : static_cast<NodeId>(rng.below(3)));
    } else if (!c.net.in_flight().empty()) {
      c.net.reorder(rng.next());
      c.deliver_one();
    }
  }
  c.deliver_all_shuffled(seed);

  const auto replies = c.read_replies();
  ASSERT_EQ(replies.size(), floor.size());
  int fresher = 0;
  for (const ReadReply& r : replies) {
    EXPECT_TRUE(r.ok) << "read " << r.op;
    EXPECT_GE(r.version, floor.at(r.op)) << "read " << r.op << " of key " << key_of.at(r.op);
    fresher += r.version > floor.at(r.op) ? 1 : 0;
  }
  // The schedule must be one where reading stale was possible: acknowledged
  // writes not yet clean at the middle node, and reads racing unacknowledged
  // writes (which they may or may not see).
  EXPECT_GT(stale_at_middle, 0);
  EXPECT_GT(fresher, 0);
  EXPECT_GT(std::count_if(floor.begin(), floor.end(), [](const auto& f) { return f.second > 0; }), 10);
  EXPECT_EQ(c.write_replies().size(), std::count_if(key_of.begin(), key_of.end(), [&](const auto& k) {
              return floor.count(k.first) == 0;
            }));
}

TEST(ChainTest, TailReadsNeverReturnOlderThanTheNewestAcknowledgedWrite)
{
  expect_reads_never_older_than_acknowledged_writes(ChainReads::tail, 11);
}

TEST(ChainTest, CraqReadsNeverReturnOlderThanTheNewestAcknowledgedWrite)
{
  expect_reads_never_older_than_acknowledged_writes(ChainReads::craq, 12);
}

// CRAQ §2.3: "If the latest known version of the requested object is clean,
// the node returns this value."
TEST(ChainTest, CraqCleanReadIsAnsweredLocally)
{
  Chains c(3, 3, ChainReads::craq);
  c.write(1, 9, 0);
  c.deliver_all();
  for (NodeId n = 0; n < 3; ++n) {
    const Ready ready = c.node(n).step({kClient, Address::node(n), ClientRead{50, 9}}, 0);
    ASSERT_EQ(ready.messages.size(), 1u) << "node " << n;
    EXPECT_EQ(ready.messages[0].to, kClient);
    const auto& reply = std::get<ReadReply>(ready.messages[0].message);
    EXPECT_EQ(reply.op, 50u);
    EXPECT_TRUE(reply.ok);
    EXPECT_EQ(reply.version, 1u);
  }
  const Ready never_written = c.node(1).step({kClient, Address::node(1), ClientRead{51, 10}}, 0);
  ASSERT_EQ(never_written.messages.size(), 1u);  // clean too: nothing written, nothing to ask
  EXPECT_EQ(std::get<ReadReply>(never_written.messages[0].message).version, 0u);
  EXPECT_EQ(c.node(1).pending_reads(), 0u);
}

// CRAQ §2.3: "Otherwise, if the latest version number of the object requested
// is dirty, the node contacts the tail and asks for the tail's last committed
// version number … The node then returns that version of the object."
TEST(ChainTest, CraqDirtyReadAtAMiddleNodeReturnsTheCommittedVersionFromTheTail)
{
  Chains c(3, 3, ChainReads::craq);
  c.write(1, 9, 0);
  c.deliver_all();
  c.write(2, 9, 0);
  ASSERT_TRUE(c.deliver_first(is_any<ClientWrite>()));
  ASSERT_TRUE(c.deliver_first(is<ChainForward>(Address::node(1))));  // version 2 waits on the way to the tail
  ASSERT_EQ(c.node(1).version_of(9), 2u);
  ASSERT_EQ(c.node(1).committed_version_of(9), 1u);

  c.read(60, 9, 1);
  ASSERT_TRUE(c.deliver_first(is_any<ClientRead>()));
  EXPECT_TRUE(c.read_replies().empty());
  EXPECT_EQ(c.node(1).pending_reads(), 1u);
  ASSERT_TRUE(c.deliver_first(is<CommittedVersionQuery>(Address::node(2))));
  ASSERT_TRUE(c.deliver_first(is<CommittedVersionReply>(Address::node(1))));
  ASSERT_TRUE(c.deliver_first(is<ReadReply>(kClient)));
  auto replies = c.read_replies();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].op, 60u);
  EXPECT_TRUE(replies[0].ok);
  EXPECT_EQ(replies[0].version, 1u);  // committed, not the dirty 2 it holds
  EXPECT_EQ(c.node(1).pending_reads(), 0u);

  c.deliver_all();  // version 2 commits and its ack cleans the middle
  c.read(61, 9, 1);
  c.deliver_all();
  replies = c.read_replies();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[1].version, 2u);
  EXPECT_EQ(c.net.received<CommittedVersionQuery>(Address::node(2)).size(), 1u);  // the second read was local
}

// The tail may have committed (and acknowledged to the client) a version the
// asking node still holds as dirty: the answer is the tail's, newer than the
// node's own clean version, so the read sees the acknowledged write.
TEST(ChainTest, CraqDirtyReadReturnsAVersionTheTailCommittedBeforeTheAckArrived)
{
  Chains c(3, 3, ChainReads::craq);
  c.write(1, 9, 0);
  c.deliver_all();
  c.write(2, 9, 0);
  c.deliver_first(is_any<ClientWrite>());
  c.deliver_first(is<ChainForward>(Address::node(1)));
  c.deliver_first(is<ChainForward>(Address::node(2)));
  ASSERT_TRUE(c.deliver_first(is_any<WriteReply>()));  // acknowledged; the ChainAck is still in flight
  ASSERT_EQ(c.node(0).committed_version_of(9), 1u);

  c.read(70, 9, 0);
  while (c.deliver_first([](const Envelope& e) { return !std::holds_alternative<ChainAck>(e.message); })) {
  }
  const auto replies = c.read_replies();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].version, 2u);
  EXPECT_EQ(c.node(0).committed_version_of(9), 1u);  // the ack has not come: the read did not need it
}

TEST(ChainTest, OnlyTheTailAnswersVersionQueriesAndUnknownAnswersAreIgnored)
{
  Chains c(3, 3, ChainReads::craq);
  EXPECT_TRUE(c.node(1).step({Address::node(0), Address::node(1), CommittedVersionQuery{1, 0, 9}}, 0).empty());
  const Ready at_tail = c.node(2).step({Address::node(0), Address::node(2), CommittedVersionQuery{1, 0, 9}}, 0);
  ASSERT_EQ(at_tail.messages.size(), 1u);
  EXPECT_EQ(at_tail.messages[0].to, Address::node(0));
  EXPECT_EQ(std::get<CommittedVersionReply>(at_tail.messages[0].message).request, 1u);
  EXPECT_TRUE(c.node(0).step({Address::node(2), Address::node(0), CommittedVersionReply{1, 0, 3}}, 0).empty());
}

// §2: reads without CRAQ go to the tail only; another replica's copy may hold
// updates not yet committed, or lack ones the tail acknowledged.
TEST(ChainTest, TailModeReadAtANonTailIsRefused)
{
  Chains c(6, 3);
  const Key key = key_in(c.placement, 0);
  c.write(1, key, 0);
  c.deliver_all();
  for (NodeId n : {0, 1, 3, 5}) {  // head, middle, and nodes of the other chain
    const Ready ready = c.node(n).step({kClient, Address::node(n), ClientRead{80, key}}, 0);
    ASSERT_EQ(ready.messages.size(), 1u);
    const auto& reply = std::get<ReadReply>(ready.messages[0].message);
    EXPECT_FALSE(reply.ok) << "node " << n;
    EXPECT_EQ(reply.version, 0u);
  }
  const Ready at_tail = c.node(2).step({kClient, Address::node(2), ClientRead{81, key}}, 0);
  ASSERT_EQ(at_tail.messages.size(), 1u);
  EXPECT_TRUE(std::get<ReadReply>(at_tail.messages[0].message).ok);
  EXPECT_EQ(std::get<ReadReply>(at_tail.messages[0].message).version, 1u);

  Chains craq(6, 3, ChainReads::craq);  // CRAQ reads any replica of the chain, still no other node
  const Ready elsewhere = craq.node(3).step({kClient, Address::node(3), ClientRead{82, key}}, 0);
  ASSERT_EQ(elsewhere.messages.size(), 1u);
  EXPECT_FALSE(std::get<ReadReply>(elsewhere.messages[0].message).ok);
}

// §2: "each update request is directed to the head"; anywhere else it is
// refused at once rather than forwarded.
TEST(ChainTest, ClientWriteAtANonHeadIsRefused)
{
  Chains c(6, 3);
  const Key key = key_in(c.placement, 0);
  c.write(1, key, 1);  // the middle of the key's chain
  c.write(2, key, 2);  // its tail
  c.write(3, key, 3);  // the head of another chain
  c.deliver_all();

  const auto replies = c.write_replies();
  ASSERT_EQ(replies.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(replies[i].op, i + 1);
    EXPECT_FALSE(replies[i].ok);
    EXPECT_EQ(replies[i].version, 0u);
    EXPECT_EQ(replies[i].acks, 0);
    EXPECT_EQ(replies[i].committed, -1.0);
  }
  EXPECT_EQ(c.net.delivered().size(), 6u);  // three writes, three refusals, nothing else
  for (NodeId n = 0; n < 6; ++n) {
    EXPECT_EQ(c.node(n).version_of(key), 0u) << "node " << n;
    EXPECT_EQ(c.node(n).counters().writes_led, 0u) << "node " << n;
  }
}

// With one replica the head is the tail: it applies, commits and answers in
// the step that took the write, with no chain to forward to or ack from.
TEST(ChainTest, ChainOfOneAnswersDirectly)
{
  for (ChainReads reads : {ChainReads::tail, ChainReads::craq}) {
    Chains c(3, 1, reads);
    const Key key = key_in(c.placement, 1);
    EXPECT_EQ(c.node(1).head_of(1), 1);
    EXPECT_EQ(c.node(1).tail_of(1), 1);
    const Ready ready = c.node(1).step({kClient, Address::node(1), ClientWrite{4, key}}, 2.5);
    ASSERT_EQ(ready.messages.size(), 1u);
    EXPECT_EQ(ready.persist, 1u);
    EXPECT_EQ(ready.messages[0].to, kClient);
    const auto& reply = std::get<WriteReply>(ready.messages[0].message);
    EXPECT_EQ(reply.op, 4u);
    EXPECT_TRUE(reply.ok);
    EXPECT_EQ(reply.version, 1u);
    EXPECT_EQ(reply.acks, 1);
    EXPECT_EQ(reply.committed, 2.5);
    EXPECT_EQ(c.node(1).applied_seq(1), 1u);
    EXPECT_EQ(c.node(1).committed_seq(1), 1u);
    EXPECT_EQ(c.node(1).committed_version_of(key), 1u);

    const Ready read = c.node(1).step({kClient, Address::node(1), ClientRead{5, key}}, 3);
    ASSERT_EQ(read.messages.size(), 1u);
    EXPECT_EQ(std::get<ReadReply>(read.messages[0].message).version, 1u);
    EXPECT_EQ(c.node(1).counters().writes_led, 1u);
    EXPECT_EQ(c.node(1).counters().writes_replicated, 0u);
  }
}

// The head leads every write of its unit; the others apply it on the head's
// behalf. Every node writes each value it applies to its durable state.
TEST(ChainTest, CountersSeparateLedFromReplicatedWritesAndEveryApplyPersists)
{
  Chains c(3, 3);
  const Ready at_head = c.node(0).step({kClient, Address::node(0), ClientWrite{0, 1}}, 0);
  EXPECT_EQ(at_head.persist, 1u);
  ASSERT_EQ(at_head.messages.size(), 1u);
  for (const Envelope& e : at_head.messages)
    c.net.inject(e);
  for (OpId op = 1; op < 5; ++op)
    c.write(op, op % 2, 0);
  c.write(9, 1, 1);  // refused: neither led nor replicated
  c.deliver_all();

  EXPECT_EQ(c.node(0).counters().writes_led, 5u);
  EXPECT_EQ(c.node(0).counters().writes_replicated, 0u);
  for (NodeId n : {1, 2}) {
    EXPECT_EQ(c.node(n).counters().writes_led, 0u);
    EXPECT_EQ(c.node(n).counters().writes_replicated, 5u);
  }
  const Ready at_tail = c.node(2).step({Address::node(1), Address::node(2), ChainForward{0, 6, 1, 4, kClient, 20}}, 0);
  EXPECT_EQ(at_tail.persist, 1u);  // the tail persists what it commits
  EXPECT_EQ(at_tail.messages.size(), 2u);  // the reply and the ack
}

// Versions count writes of a key, assigned by the head in the order it takes them.
TEST(ChainTest, VersionsPerKeyIncreaseByOnePerWrite)
{
  Chains c(3, 3);
  const std::vector<Key> keys{7, 8, 7, 7, 8, 7, 7};
  for (std::size_t i = 0; i < keys.size(); ++i)
    c.write(static_cast<OpId>(i), keys[i], 0);
  c.deliver_all();

  std::vector<Version> versions;
  for (const WriteReply& r : c.write_replies())
    versions.push_back(r.version);
  EXPECT_EQ(versions, (std::vector<Version>{1, 1, 2, 3, 2, 4, 5}));
  for (NodeId n = 0; n < 3; ++n) {
    EXPECT_EQ(c.node(n).version_of(7), 5u);
    EXPECT_EQ(c.node(n).committed_version_of(8), 2u);
  }
}

TEST(ChainTest, AccessorsOfAUnitOutsideTheNodesChainThrow)
{
  Chains c(6, 3);
  EXPECT_THROW(c.node(3).applied_seq(0), std::out_of_range);
  EXPECT_THROW(c.node(3).committed_seq(0), std::out_of_range);
  EXPECT_THROW(c.node(3).log_of(0), std::out_of_range);
  EXPECT_EQ(c.node(3).head_of(0), 0);  // the chain itself is the placement's, known to all
  EXPECT_EQ(c.node(3).tail_of(0), 2);
}

TEST(ChainTest, ParseChainReadsAcceptsTailAndCraqOnly)
{
  EXPECT_EQ(parse_chain_reads("tail"), ChainReads::tail);
  EXPECT_EQ(parse_chain_reads("craq"), ChainReads::craq);
  EXPECT_EQ(to_string(ChainReads::tail), "tail");
  EXPECT_EQ(to_string(ChainReads::craq), "craq");
  for (const char* bad : {"", "Tail", "CRAQ", "head", "primary", "tail "}) {
    try {
      parse_chain_reads(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()), "unknown chain read mode '" + std::string(bad) + "' (expected tail or craq)");
    }
  }
}

// Chains of three and two in an order that is not the nodes' numbering.
Placement hand_built_chains() { return Placement(4, {{2, 0, 1}, {3, 1}}); }

TEST(ChainRouterTest, WritesGoToTheHeadAndTailModeReadsToTheTail)
{
  const Placement placement = hand_built_chains();
  const ChainRouter router(placement, ChainReads::tail);
  Rng rng(5);
  Rng untouched(5);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(router.route(OpKind::write, 0, rng), 2);
    EXPECT_EQ(router.route(OpKind::write, 1, rng), 3);
    EXPECT_EQ(router.route(OpKind::read, 0, rng), 1);
    EXPECT_EQ(router.route(OpKind::read, 1, rng), 1);
  }
  EXPECT_EQ(rng.next(), untouched.next());  // no draw: routing is fixed
}

// CRAQ §2.3 reads "any node in the chain": a uniform draw over the unit's
// replicas, rng.below(chain length) indexing the chain in placement order.
TEST(ChainRouterTest, CraqReadsGoToAUniformlyDrawnReplica)
{
  const Placement placement = hand_built_chains();
  const ChainRouter router(placement, ChainReads::craq);
  Rng rng(7);
  Rng replay(7);
  std::map<NodeId, int> hits;
  constexpr int kReads = 3000;
  for (int i = 0; i < kReads; ++i) {
    const NodeId chosen = router.route(OpKind::read, 0, rng);
    EXPECT_EQ(chosen, placement.replicas(0)[replay.below(3)]);
    ++hits[chosen];
    EXPECT_EQ(router.route(OpKind::read, 1, rng), placement.replicas(1)[replay.below(2)]);
    EXPECT_EQ(router.route(OpKind::write, 0, rng), 2);  // writes still go to the head, without a draw
  }
  ASSERT_EQ(hits.size(), 3u);
  for (const auto& [node, count] : hits)  // 1000 expected each; 5 standard deviations is about 130
    EXPECT_NEAR(count, kReads / 3, 130) << "node " << node;
}

// ops.csv reports the primary: in a chain the storage role is the tail's.
TEST(ChainRouterTest, ThePrimaryIsTheTail)
{
  const Placement placement = hand_built_chains();
  for (ChainReads reads : {ChainReads::tail, ChainReads::craq}) {
    const ChainRouter router(placement, reads);
    for (NodeId coordinator : {0, 1, 2, 3}) {
      EXPECT_EQ(router.primary(placement, 0, coordinator), 1);
      EXPECT_EQ(router.primary(placement, 1, coordinator), 1);
    }
  }
  EXPECT_EQ(placement.primary(0), 2);  // the placement's own primary is the head: the router overrides it
}

}  // namespace
}  // namespace replisim
