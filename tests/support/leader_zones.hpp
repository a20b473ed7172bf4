// Multi-leader test layouts: zones of one leader and its followers.
#pragma once
#include "protocols/multi_leader/multi_leader.hpp"

namespace replisim::test {

// `leaders` datacenters of a leader and `followers_each` followers, numbered
// leader first: with 2 followers each, leader 0 leads 1 and 2, leader 3 leads 4 and 5.
inline LeaderGroups zones(int leaders, int followers_each)
{
  LeaderGroups groups;
  NodeId next = 0;
  for (int l = 0; l < leaders; ++l) {
    groups.leaders.push_back(next++);
    groups.followers_of.emplace_back();
    for (int f = 0; f < followers_each; ++f)
      groups.followers_of.back().push_back(next++);
  }
  return groups;
}

}  // namespace replisim::test
