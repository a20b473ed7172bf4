// A unit's replicated log and the pure rules of Raft's log replication
// (Ongaro and Ousterhout, USENIX ATC 2014, §5.3 and §5.4): the consistency
// check of an append, where a refused leader resumes, truncation of a
// conflicting suffix, and the commit rule. Indexes are absolute: the first
// entry ever appended has index 1; index 0 is the empty prefix every log
// shares.
//
// Compaction (Raft §7 without the snapshot transfer): a log may discard a
// prefix of entries every replica of the unit holds and that is committed.
// It keeps, like a snapshot's lastIncludedIndex and lastIncludedTerm, the
// index of the last entry discarded (compacted()) and the terms of the
// discarded entries as runs (one pair per change of term, so a handful per
// election), so that term_at, log_matches, rejection_hint and the §5.4.1
// up-to-date check stay exact for every index. Only the discarded entries'
// keys, versions and ops are gone.
#pragma once
#include <cstddef>
#include <utility>
#include <vector>

#include "protocols/common/suffix_log.hpp"
#include "protocols/common/types.hpp"

namespace replisim {

struct LogEntry {
  Term term = 0;
  Key key = 0;
  Version version = 0;  // 0: a leader's no-op (Raft §8), which writes no key
  OpId op = 0;          // the client write that created the entry (0: a no-op)

  bool is_noop() const { return version == 0; }
  friend bool operator==(const LogEntry&, const LogEntry&) = default;
};

class Log {
public:
  using const_iterator = SuffixLog<LogEntry>::const_iterator;

  // The entries kept, in index order: from first_index() to last_index().
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  std::size_t kept() const { return entries_.kept(); }
  bool empty() const { return entries_.empty(); }

  LogIndex last_index() const { return entries_.last_index(); }
  LogIndex compacted() const { return entries_.compacted(); }  // the last index discarded; 0: none
  LogIndex first_index() const { return entries_.first_index(); }  // the first index kept (if any)
  // The entry at `index`, which must be kept: compacted() < index <= last_index().
  // Throws std::out_of_range otherwise.
  const LogEntry& at(LogIndex index) const { return entries_.at(index); }
  // The term of the entry at `index`, kept or discarded; 0 for index 0 or past the end.
  Term term_at(LogIndex index) const;
  // The first index of the run of entries of one term that holds `index`
  // (1 <= index <= last_index()).
  LogIndex run_start(LogIndex index) const;

  void push_back(const LogEntry& entry) { entries_.push_back(entry); }
  // Erases the entries from `from` on (see the free truncate_from). Throws
  // std::logic_error if that reaches a discarded entry: only committed
  // entries are discarded, and Raft never truncates a committed one.
  std::vector<Key> truncate_from(LogIndex from);
  // Discards the entries up to `through` (clamped to last_index(); nothing
  // if at or below compacted()), calling `visit(index, entry)` on each first.
  // Amortised O(1) per entry (SuffixLog::discard_through).
  template <typename Visit>
  void compact(LogIndex through, Visit&& visit)
  {
    entries_.discard_through(through, [&](LogIndex index, const LogEntry& e) {
      if (runs_.empty() || runs_.back().second != e.term)
        runs_.emplace_back(index, e.term);
      visit(index, e);
    });
  }
  void compact(LogIndex through)
  {
    compact(through, [](LogIndex, const LogEntry&) {});
  }

  // The same state: discarded prefix (index and terms) and entries kept.
  friend bool operator==(const Log&, const Log&);

private:
  const std::pair<LogIndex, Term>& discarded_run(LogIndex index) const;

  SuffixLog<LogEntry> entries_;
  std::vector<std::pair<LogIndex, Term>> runs_;  // discarded entries: (first index, term) of each run of one term
};

inline LogIndex last_index(const Log& log) { return log.last_index(); }

// The term of the entry at `index`; 0 for index 0 or past the end.
inline Term term_at(const Log& log, LogIndex index) { return log.term_at(index); }
inline Term last_term(const Log& log) { return term_at(log, last_index(log)); }

// §5.3: "If a follower does not find an entry in its log with the same index
// and term [as prevLogIndex and prevLogTerm], then it refuses the new entries."
bool log_matches(const Log& log, LogIndex prev_index, Term prev_term);

// Where a leader whose append after `prev_index` was refused should back up
// to: the follower's last index when the append was past its end; else the
// index before the first entry of the conflicting term, so that one round
// trip skips the whole term (§5.3: "the follower can include the term of the
// conflicting entry and the first index it stores for that term").
LogIndex rejection_hint(const Log& log, LogIndex prev_index);

// §5.3: "If an existing entry conflicts with a new one (same index but
// different terms), delete the existing entry and all that follow it." Erases
// the entries from `from` on and returns the keys they wrote, in log order
// (with repeats), so the caller can recompute what it holds for them.
std::vector<Key> truncate_from(Log& log, LogIndex from);

// The newest version of `key` the kept entries hold; 0 if none writes it.
Version latest_version(const Log& log, Key key);

// §5.3–§5.4.2: the leader's commit index. The highest index a majority of
// `match` (per replica, the leader's own last index included) holds,
// provided its entry is of the leader's `current` term — "Raft never commits
// log entries from previous terms by counting replicas" — and never below
// `commit`, the index already committed.
LogIndex leader_commit(const std::vector<LogIndex>& match, const Log& log, Term current, LogIndex commit);

// Kafka's high watermark, the commit index with a controller: the highest
// index every replica `in_sync` holds (per replica, as `match`), and never
// below `commit`. No term condition: a controller only ever makes an in-sync
// replica the leader, and it holds every entry below the mark.
LogIndex high_watermark(const std::vector<LogIndex>& match, const std::vector<bool>& in_sync, LogIndex commit);

// How far every replica of a unit may discard its log: the entries every
// replica holds (the lowest of `match`, per replica, the leader's own last
// index included), no further than `commit`. Computed by the leader, which
// alone knows every replica's match index. Such entries are never needed
// again: no replica lacks them, and being committed no replica ever
// truncates them, so no leader will have to resend them and every future
// leader holds them. A replica that is down or behind holds it back.
LogIndex compactable(const std::vector<LogIndex>& match, LogIndex commit);

}  // namespace replisim
