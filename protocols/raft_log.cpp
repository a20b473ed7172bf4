#include "protocols/raft_log.hpp"

#include <algorithm>

#include "protocols/election.hpp"
#include "protocols/write_concern.hpp"

namespace replisim {

Term term_at(const Log& log, LogIndex index)
{
  return index == 0 || index > log.size() ? 0 : log[index - 1].term;
}

bool log_matches(const Log& log, LogIndex prev_index, Term prev_term)
{
  return prev_index == 0 || (prev_index <= log.size() && log[prev_index - 1].term == prev_term);
}

LogIndex rejection_hint(const Log& log, LogIndex prev_index)
{
  if (prev_index > log.size())
    return log.size();
  const Term conflicting = term_at(log, prev_index);
  LogIndex first = prev_index;
  while (first > 1 && log[first - 2].term == conflicting)
    --first;
  return first - 1;
}

std::vector<Key> truncate_from(Log& log, LogIndex from)
{
  std::vector<Key> keys;
  if (from == 0 || from > log.size())
    return keys;
  for (auto it = log.begin() + static_cast<std::ptrdiff_t>(from - 1); it != log.end(); ++it)
    if (!it->is_noop())
      keys.push_back(it->key);
  log.erase(log.begin() + static_cast<std::ptrdiff_t>(from - 1), log.end());
  return keys;
}

Version latest_version(const Log& log, Key key)
{
  Version newest = 0;
  for (const LogEntry& e : log)
    if (!e.is_noop() && e.key == key)
      newest = std::max(newest, e.version);
  return newest;
}

LogIndex leader_commit(const std::vector<LogIndex>& match, const Log& log, Term current, LogIndex commit)
{
  const LogIndex candidate = quorum_index(match, majority(static_cast<int>(match.size())));
  if (candidate <= commit || term_at(log, candidate) != current)
    return commit;
  return candidate;
}

LogIndex high_watermark(const std::vector<LogIndex>& match, const std::vector<bool>& in_sync, LogIndex commit)
{
  LogIndex held = ~LogIndex{0};
  for (std::size_t i = 0; i < match.size(); ++i)
    if (in_sync.at(i))
      held = std::min(held, match[i]);
  return held == ~LogIndex{0} ? commit : std::max(commit, held);
}

}  // namespace replisim
