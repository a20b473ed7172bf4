#include "protocols/leader_follower/progress.hpp"

#include <algorithm>

namespace replisim {

Progress Progress::of_follower(LogIndex leader_last, Time now)
{
  Progress p;
  p.next = leader_last + 1;
  p.last_heard = now;
  return p;
}

Progress Progress::of_leader(LogIndex leader_last, Time now)
{
  Progress p = of_follower(leader_last, now);
  p.match = leader_last;
  p.reported = leader_last;
  return p;
}

void Progress::acknowledged(LogIndex held)
{
  match = std::max(match, held);
  if (probing && match + 1 >= next) {
    probing = false;
    next = match + 1;
  }
  next = std::max(next, match + 1);
}

bool Progress::back_up(LogIndex rejected, LogIndex hint, LogIndex first_kept)
{
  const bool stale = probing ? rejected + 1 != next : rejected <= match;
  if (stale)
    return false;
  probing = true;
  next = std::max({match + 1, std::min(rejected, hint + 1), first_kept});
  return true;
}

void Progress::rejoin_if_holds(LogIndex index)
{
  if (!in_sync && match >= index)
    in_sync = true;
}

std::vector<LogIndex> match_indexes(const std::vector<Progress>& replicas)
{
  std::vector<LogIndex> match;
  match.reserve(replicas.size());
  for (const Progress& p : replicas)
    match.push_back(p.match);
  return match;
}

std::vector<bool> in_sync_flags(const std::vector<Progress>& replicas)
{
  std::vector<bool> in_sync;
  in_sync.reserve(replicas.size());
  for (const Progress& p : replicas)
    in_sync.push_back(p.in_sync);
  return in_sync;
}

int count_in_sync(const std::vector<Progress>& replicas)
{
  return static_cast<int>(std::count_if(replicas.begin(), replicas.end(), [](const Progress& p) { return p.in_sync; }));
}

int count_holding(const std::vector<Progress>& replicas, LogIndex index)
{
  return static_cast<int>(
      std::count_if(replicas.begin(), replicas.end(), [index](const Progress& p) { return p.match >= index; }));
}

LogIndex held_by_in_sync(const std::vector<Progress>& replicas, LogIndex commit)
{
  LogIndex held = commit;
  for (const Progress& p : replicas)
    if (p.in_sync)
      held = std::min(held, p.match);
  return held;
}

}  // namespace replisim
