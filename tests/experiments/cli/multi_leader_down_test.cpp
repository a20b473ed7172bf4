// Multi-leader with a leader's host down (--down): writes go to the leaders
// that are up, whichever way clients choose them, and the end-of-run check
// (the leaders hold identical data) holds over those. With --leader-choice
// random the run failed that check, exit 1.
#include "support/bad_input.hpp"

#include <sstream>

#include <fmt/format.h>

namespace multi_leader_down_test {

using replisim::test::slurp;
using MultiLeaderDown = replisim::test::BadInputTest;

TEST_F(MultiLeaderDown, WritesGoToTheLeadersThatAreUp)
{
  for (const char* choice : {"random", "nearest"}) {
    const auto out = dir_ / choice;
    const replisim::test::CommandResult r =
        replisim(fmt::format("run --model multi-leader --platform {}/three_dc_wan.xml --down n3 --leader-choice {} "
                             "--ops 300 --clients 3 --out {}",
                             REPLISIM_PLATFORMS, choice, out.string()));
    ASSERT_EQ(r.status, 0) << choice << ": " << r.err;
    // three_dc_wan's leaders are n0, n3 (down) and n6: nodes 0, 3 and 6.
    std::istringstream ops(slurp(out / "ops.csv"));
    std::string line;
    std::getline(ops, line);
    int writes = 0;
    while (std::getline(ops, line)) {
      std::vector<std::string> cells;
      std::istringstream fields(line);
      for (std::string cell; std::getline(fields, cell, ',');)
        cells.push_back(cell);
      ASSERT_GE(cells.size(), 12u) << line;
      EXPECT_NE(cells[5], "3") << choice << ": a write went to the leader that is down: " << line;
      EXPECT_EQ(cells[11], "ok") << choice << ": " << line;
      ++writes;
    }
    EXPECT_EQ(writes, 300) << choice;
  }
}

}  // namespace multi_leader_down_test
