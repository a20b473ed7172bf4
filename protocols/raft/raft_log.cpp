#include "protocols/raft/raft_log.hpp"

#include <algorithm>
#include <stdexcept>

#include "protocols/raft/election.hpp"
#include "protocols/common/write_concern.hpp"

namespace replisim {

// The discarded run holding `index` (1 <= index <= compacted()).
const std::pair<LogIndex, Term>& Log::discarded_run(LogIndex index) const
{
  const auto run = std::upper_bound(runs_.begin(), runs_.end(), index,
                                    [](LogIndex i, const std::pair<LogIndex, Term>& r) { return i < r.first; });
  return *std::prev(run);
}

Term Log::term_at(LogIndex index) const
{
  if (index == 0 || index > last_index())
    return 0;
  return index > compacted() ? at(index).term : discarded_run(index).second;
}

LogIndex Log::run_start(LogIndex index) const
{
  if (index <= compacted())
    return discarded_run(index).first;
  const Term term = term_at(index);
  while (index > first_index() && at(index - 1).term == term)
    --index;
  if (index == first_index() && index > 1 && term_at(index - 1) == term) {
    // The run goes on into the discarded prefix, whose last run it is.
    return runs_.back().first;
  }
  return index;
}

std::vector<Key> Log::truncate_from(LogIndex from)
{
  std::vector<Key> keys;
  if (from == 0 || from > last_index())
    return keys;
  if (from <= compacted())
    throw std::logic_error("truncating a discarded (committed) log entry");
  for (auto it = begin() + static_cast<std::ptrdiff_t>(from - first_index()); it != end(); ++it)
    if (!it->is_noop())
      keys.push_back(it->key);
  entries_.erase_from(from);
  return keys;
}

bool operator==(const Log& a, const Log& b)
{
  return a.entries_ == b.entries_ && a.runs_ == b.runs_;
}

bool log_matches(const Log& log, LogIndex prev_index, Term prev_term)
{
  return prev_index == 0 || (prev_index <= log.last_index() && log.term_at(prev_index) == prev_term);
}

LogIndex rejection_hint(const Log& log, LogIndex prev_index)
{
  if (prev_index > log.last_index())
    return log.last_index();
  return prev_index == 0 ? 0 : log.run_start(prev_index) - 1;
}

std::vector<Key> truncate_from(Log& log, LogIndex from) { return log.truncate_from(from); }

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

LogIndex compactable(const std::vector<LogIndex>& match, LogIndex commit)
{
  LogIndex held = commit;
  for (LogIndex m : match)
    held = std::min(held, m);
  return held;
}

}  // namespace replisim
