// Where chain replication's clients send their requests (ChainRouter):
// writes to the head, reads to the tail or, with CRAQ (Terrace and Freedman,
// USENIX ATC 2009), to any replica of the chain; and the names of the two
// read modes.
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>

#include "protocols/chain/chain.hpp"
#include "protocols/chain/chain_router.hpp"

namespace replisim {
namespace chain_router_test {

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

}  // namespace chain_router_test
}  // namespace replisim
