// The run-time invariant checks catch what they are for: two leaders of one
// unit in one term, a new leader whose log lacks an acknowledged committed
// write, and acknowledged writes missing from a unit's final state.
#include <gtest/gtest.h>

#include "experiments/core/invariants.hpp"
#include "experiments/core/models/log_audit.hpp"
#include "experiments/core/models/version_audit.hpp"

namespace replisim {
namespace invariants_test {

RoleEvent became_leader(UnitId unit, NodeId node, Term term, Time at = 1.0)
{
  return {RoleEvent::Kind::became_leader, unit, node, term, at};
}

TEST(Invariants, TwoLeadersOfOneUnitInOneTermAreAViolation)
{
  Invariants checks(true);
  checks.role_changed(became_leader(2, 1, 5));
  checks.role_changed(became_leader(2, 1, 5));  // the same leader, told again
  checks.role_changed(became_leader(3, 4, 5));  // another unit
  checks.role_changed(became_leader(2, 4, 6));  // a later term
  EXPECT_FALSE(checks.violation());
  checks.role_changed(became_leader(2, 3, 5, 2.5));
  ASSERT_TRUE(checks.violation());
  EXPECT_EQ(*checks.violation(), "invariant violated at 2.500000 s: unit 2, term 5: nodes 1 and 3 both became its leader");
}

TEST(Invariants, NothingIsCheckedUnlessAsked)
{
  Invariants checks(false);
  checks.role_changed(became_leader(0, 1, 2));
  checks.role_changed(became_leader(0, 2, 2));
  EXPECT_FALSE(checks.violation());
}

// One unit on three nodes, Raft failover, no message exchanged: every log is empty.
struct OneUnit {
  Placement placement{3, {{0, 1, 2}}};
  Membership membership = Membership::all_up({0, 0, 0});
  std::vector<std::unique_ptr<LeaderFollowerNode>> machines;
  std::vector<const LeaderFollowerNode*> nodes;
  OneUnit()
  {
    for (NodeId n = 0; n < 3; ++n) {
      machines.push_back(std::make_unique<LeaderFollowerNode>(n, placement, WriteConcern::majority, 1,
                                                              FailoverConfig::raft(0.15, 0.3, 0.075, 1)));
      nodes.push_back(machines.back().get());
    }
  }
};

Completion acked_write(OpId op)
{
  Completion c;
  c.op = op;
  c.unit = 0;
  return c;
}

TEST(LogAudit, ANewLeaderWithoutAnAcknowledgedMajorityWriteIsAViolation)
{
  OneUnit u;
  Invariants checks(true);
  LogAudit audit(u.placement, u.nodes, u.membership, true, &checks);
  audit.became_leader(became_leader(0, 1, 2));
  EXPECT_FALSE(checks.violation());  // nothing acknowledged yet
  audit.acknowledged(acked_write(7));
  audit.became_leader(became_leader(0, 2, 3, 4.0));
  ASSERT_TRUE(checks.violation());
  EXPECT_EQ(*checks.violation(), "invariant violated at 4.000000 s: unit 0, term 3: node 2 became leader but write 7, "
                                 "acknowledged to its client, is not in the log of node 2");
}

TEST(LogAudit, AcknowledgedWritesMissingAtTheEndAreLost)
{
  OneUnit u;
  Invariants checks(true);
  LogAudit audit(u.placement, u.nodes, u.membership, true, &checks);
  audit.acknowledged(acked_write(7));
  audit.acknowledged(acked_write(9));
  audit.finish(5.0);
  EXPECT_EQ(audit.lost(), 2u);
  ASSERT_TRUE(checks.violation());
  EXPECT_NE(checks.violation()->find("unit 0: 2 acknowledged write(s) lost (write 7 first)"), std::string::npos)
      << *checks.violation();
}

// w:1: a write the leader alone held may be lost by design; it is counted, not a violation.
TEST(LogAudit, LosingAW1WriteIsCountedNotAViolation)
{
  OneUnit u;
  Invariants checks(true);
  LogAudit audit(u.placement, u.nodes, u.membership, false, &checks);
  audit.acknowledged(acked_write(7));
  audit.became_leader(became_leader(0, 2, 3));
  audit.finish(5.0);
  EXPECT_EQ(audit.lost(), 1u);
  EXPECT_FALSE(checks.violation());
}

// The unit's final state is its live leader's log; a crashed node's log,
// however long, does not decide while a live replica leads.
TEST(LogAudit, TheAuthorityIsTheLiveLeader)
{
  OneUnit u;
  LogAudit audit(u.placement, u.nodes, u.membership, true, nullptr);
  EXPECT_EQ(audit.authority(0)->id(), 0);  // the primary leads term 1
  u.membership.alive[0] = false;
  EXPECT_NE(audit.authority(0)->id(), 0);
}

}  // namespace invariants_test
}  // namespace replisim

namespace replisim {
namespace invariants_test {

TEST(VersionAudit, AWriteIsLostWhenTheFinalVersionOfItsKeyIsOlder)
{
  VersionAudit audit(true);
  const auto write = [](UnitId unit, Key key, Version version, Outcome outcome = Outcome::ok) {
    Completion c;
    c.kind = OpKind::write;
    c.outcome = outcome;
    c.unit = unit;
    c.key = key;
    c.version = version;
    return c;
  };
  audit.completed(write(0, 5, 3));
  audit.completed(write(0, 5, 4));
  audit.completed(write(1, 6, 2));
  audit.completed(write(1, 6, 7, Outcome::timeout));  // not acknowledged: not audited
  // Unit 0 ends with key 5 at version 3 (the write of version 4 is gone);
  // unit 1 with key 6 at version 9 (a newer write covers version 2).
  EXPECT_EQ(audit.lost([](UnitId unit, Key) { return unit == 0 ? Version{3} : Version{9}; }), 1u);
  EXPECT_EQ(audit.lost([](UnitId, Key) { return Version{0}; }), 3u);
  // Without faults the audit keeps nothing and says nothing.
  VersionAudit off(false);
  off.completed(write(0, 5, 3));
  EXPECT_EQ(off.lost([](UnitId, Key) { return Version{0}; }), std::nullopt);
}

}  // namespace invariants_test
}  // namespace replisim
