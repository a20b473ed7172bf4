#include "protocols/leader_follower/etcd_ticks.hpp"

#include <cmath>

namespace replisim {

Time Ticker::next_after(Time now) const
{
  const double k = std::floor((now - origin) / tick + 1e-6);
  return origin + (k + 1) * tick;
}

void TickElection::reset(Rng& rng)
{
  elapsed_ = 0;
  randomized_ = timeout_ + static_cast<int>(rng.below(static_cast<std::uint64_t>(timeout_)));
}

bool TickElection::tick()
{
  if (++elapsed_ < randomized_)
    return false;
  elapsed_ = 0;
  return true;
}

bool TickElection::quorum_check_due()
{
  if (++elapsed_ < timeout_)
    return false;
  elapsed_ = 0;
  return true;
}

}  // namespace replisim
