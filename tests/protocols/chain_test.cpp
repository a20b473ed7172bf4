// Chain replication (van Renesse and Schneider, OSDI 2004) with CRAQ reads
// (Terrace and Freedman, USENIX ATC 2009) on the fake network: the update path
// head → … → tail, the tail's reply, acknowledgements back up the chain, and
// the invariants of §2 checked after every delivery.
#include <gtest/gtest.h>

#include "protocols/messages.hpp"

namespace replisim {
namespace {

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

}  // namespace
}  // namespace replisim
