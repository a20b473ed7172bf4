// The timeout detector (chain's master, multi-leader's peers): heartbeats at
// whole seconds, a conviction --detector-timeout after the last one, so
// timeout − 1 s to timeout after the failure; a node back before its
// conviction is never convicted.
#include <gtest/gtest.h>

#include "protocols/common/timeout_detector.hpp"

namespace replisim {
namespace timeout_detector_test {

TEST(TimeoutDetector, ConvictsTimeoutAfterTheLastHeartbeat)
{
  Membership truth = Membership::all_up({0, 0, 0});
  TimeoutDetector master(truth, TimeoutDetectorConfig{.timeout = 3.0, .heartbeat = 1.0});
  truth.alive[1] = false;
  master.observe(10.5);
  master.observe(10.5);  // every node tells it: once is enough
  EXPECT_TRUE(master.view().alive[1]) << "up until convicted";
  EXPECT_DOUBLE_EQ(master.next_conviction(), 13.0);  // the heartbeat of 10 s, plus 3 s
  EXPECT_FALSE(master.advance(12.999));
  EXPECT_TRUE(master.advance(13.0));
  EXPECT_FALSE(master.view().alive[1]);
  ASSERT_EQ(master.detections().size(), 1u);
  EXPECT_DOUBLE_EQ(master.detections()[0], 2.5);
  EXPECT_EQ(master.next_conviction(), kNever);
  truth.alive[1] = true;
  master.observe(20.0);
  EXPECT_TRUE(master.view().alive[1]) << "back: it rejoins through the master at once";
}

TEST(TimeoutDetector, ANodeBackBeforeItsConvictionIsNeverConvicted)
{
  Membership truth = Membership::all_up({0, 0});
  TimeoutDetector master(truth, TimeoutDetectorConfig{.timeout = 3.0, .heartbeat = 1.0});
  truth.alive[0] = false;
  master.observe(4.0);
  EXPECT_DOUBLE_EQ(master.next_conviction(), 7.0);
  truth.alive[0] = true;
  master.observe(5.0);
  EXPECT_EQ(master.next_conviction(), kNever);
  EXPECT_FALSE(master.advance(100.0));
  EXPECT_TRUE(master.detections().empty());
}

}  // namespace timeout_detector_test
}  // namespace replisim
