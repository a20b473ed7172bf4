// Reads of chain replication on the fake network: at the tail (van Renesse
// and Schneider, OSDI 2004, §2), and with CRAQ at any replica of the chain
// (Terrace and Freedman, USENIX ATC 2009, §2.3): never older than the newest
// acknowledged write, a clean version answered where it is, a dirty one by
// asking the tail; §2's invariants are checked after every delivery
// (support/chain_cluster.hpp).
#include <gtest/gtest.h>

#include <vector>

#include "protocols/chain/chain.hpp"
#include "protocols/common/messages.hpp"
#include "support/chain_cluster.hpp"
#include "support/fake_network.hpp"
#include "support/keys.hpp"

namespace replisim {
namespace chain_read_test {

using test::is;
using test::is_any;
using test::key_in;
using Chains = test::ChainCluster;

const Address kClient = test::kChainClient;

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

}  // namespace chain_read_test
}  // namespace replisim
