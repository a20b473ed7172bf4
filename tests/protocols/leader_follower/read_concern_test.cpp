// Reads under MongoDB's read concerns and Kafka's high watermark
// (read_concern.hpp), on the fake network: what each returns, whether the
// replica knew it committed, and where a linearizable read is served.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "protocols/leader_follower/leader_follower.hpp"
#include "support/fake_network.hpp"

namespace replisim {
namespace read_concern_test {

using test::FakeNetwork;
using test::is;
using test::is_any;

const Address kClient = Address::client(0);
constexpr Key kKey = 4;  // unit 0 of one replica set of three

struct ReplicaSet {
  ReplicaSet(WriteConcern concern, ReadConcern reads) : placement(leader_follower_placement(3, 3))
  {
    for (NodeId n = 0; n < 3; ++n) {
      nodes.push_back(std::make_unique<LeaderFollowerNode>(n, placement, concern, 1, FailoverConfig::none(), true,
                                                           reads));
      net.add(Address::node(n), *nodes.back());
    }
    net.start_all();
  }
  void write(OpId op) { net.inject({kClient, Address::node(0), ClientWrite{op, kKey}}); }
  // A read answered in the Ready of its request.
  ReadReply read_at(NodeId n)
  {
    const Ready ready = nodes.at(n)->step({kClient, Address::node(n), ClientRead{99, kKey}}, 0);
    EXPECT_EQ(ready.messages.size(), 1u);
    return std::get<ReadReply>(ready.messages.at(0).message);
  }

  Placement placement;
  std::vector<std::unique_ptr<LeaderFollowerNode>> nodes;
  FakeNetwork net;
};

TEST(ReadConcern, LocalReturnsTheLatestAndSaysWhetherItCommitted)
{
  ReplicaSet c(WriteConcern::majority, ReadConcern::local);
  c.write(10);
  c.net.deliver_all();
  c.write(11);
  ASSERT_TRUE(c.net.deliver_first(is_any<ClientWrite>()));
  const ReadReply latest = c.read_at(0);
  EXPECT_EQ(latest.version, 2u);
  EXPECT_EQ(latest.write, OpId{11});
  EXPECT_EQ(latest.term, 1u);
  EXPECT_FALSE(latest.committed);  // the leader holds it alone
  c.net.deliver_all();
  EXPECT_TRUE(c.read_at(0).committed);
}

TEST(ReadConcern, MajorityReturnsTheMajorityCommittedWriteOnPrimaryAndSecondary)
{
  ReplicaSet c(WriteConcern::one, ReadConcern::majority);
  c.write(10);
  c.net.deliver_all();  // committed; the secondaries learn it with the next append
  c.write(11);
  ASSERT_TRUE(c.net.deliver_first(is_any<ClientWrite>()));
  const ReadReply primary = c.read_at(0);
  EXPECT_EQ(primary.version, 1u);
  EXPECT_EQ(primary.write, OpId{10});
  EXPECT_TRUE(primary.committed);
  ASSERT_TRUE(c.net.deliver_first(is<Replicate>(Address::node(1))));
  EXPECT_EQ(c.nodes[1]->version_of(kKey), 2u);  // local would return op 11's write, not yet committed
  const ReadReply secondary = c.read_at(1);
  EXPECT_EQ(secondary.version, 1u);
  EXPECT_EQ(secondary.write, OpId{10});
  EXPECT_EQ(c.read_at(2).version, 0u);  // it has not heard of the commit
}

TEST(ReadConcern, LinearizableWaitsForItsNoOpToCommitAtAMajority)
{
  ReplicaSet c(WriteConcern::one, ReadConcern::linearizable);
  c.write(10);
  c.net.deliver_all();
  c.net.inject({kClient, Address::node(0), ClientRead{99, kKey}});
  ASSERT_TRUE(c.net.deliver_first(is_any<ClientRead>()));
  EXPECT_TRUE(c.net.received<ReadReply>(kClient).empty());
  ASSERT_TRUE(c.net.deliver_first(is<Replicate>(Address::node(1))));
  EXPECT_EQ(c.nodes[1]->log_of(0).at(2).version, 0u);  // the no-op
  ASSERT_TRUE(c.net.deliver_first(is<ReplicateAck>(Address::node(0))));
  c.net.deliver_all();
  const auto replies = c.net.received<ReadReply>(kClient);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_TRUE(replies[0].ok);
  EXPECT_EQ(replies[0].version, 1u);
  EXPECT_EQ(replies[0].write, OpId{10});
}

TEST(ReadConcern, LinearizableIsRefusedBySecondaries)
{
  ReplicaSet c(WriteConcern::majority, ReadConcern::linearizable);
  const ReadReply r = c.read_at(1);
  EXPECT_FALSE(r.ok);
}

TEST(ReadConcern, LinearizableIsNeverAnsweredWithoutAMajority)
{
  ReplicaSet c(WriteConcern::one, ReadConcern::linearizable);
  c.net.isolate(Address::node(1));
  c.net.isolate(Address::node(2));
  c.write(10);
  c.net.inject({kClient, Address::node(0), ClientRead{99, kKey}});
  c.net.deliver_all();
  EXPECT_EQ(c.net.received<WriteReply>(kClient).size(), 1u);  // w:1 acknowledged
  EXPECT_TRUE(c.net.received<ReadReply>(kClient).empty());
}

// Kafka: acks=1 acknowledges a record the leader alone holds; no replica
// gives it out until every in-sync replica holds it (the high watermark),
// though a majority already does.
TEST(ReadConcern, HighWatermarkHidesWhatAnInSyncReplicaLacks)
{
  ReplicaSet c(WriteConcern::one, ReadConcern::high_watermark);
  c.write(10);
  ASSERT_TRUE(c.net.deliver_first(is_any<ClientWrite>()));
  EXPECT_EQ(c.net.received<WriteReply>(kClient).size(), 0u);
  ASSERT_TRUE(c.net.deliver_first(is_any<WriteReply>()));
  EXPECT_EQ(c.read_at(0).version, 0u);
  ASSERT_TRUE(c.net.deliver_first(is<Replicate>(Address::node(1))));
  ASSERT_TRUE(c.net.deliver_first(is<ReplicateAck>(Address::node(0))));
  EXPECT_EQ(c.nodes[0]->commit_index(0), 1u);  // a majority holds it
  EXPECT_EQ(c.read_at(0).version, 0u);         // but node 2, in sync, does not
  c.net.deliver_all();
  EXPECT_EQ(c.read_at(0).version, 1u);
  EXPECT_EQ(c.read_at(0).write, OpId{10});
  EXPECT_EQ(c.read_at(1).version, 0u);  // a follower learns the mark with the next fetch
  c.write(11);
  c.net.deliver_all();
  EXPECT_EQ(c.read_at(1).version, 1u);
}

}  // namespace read_concern_test
}  // namespace replisim
