// A unit's replicated log and the pure rules of Raft's log replication
// (Ongaro and Ousterhout, USENIX ATC 2014, §5.3 and §5.4): the consistency
// check of an append, where a refused leader resumes, truncation of a
// conflicting suffix, and the commit rule. Entry i of a Log has index i + 1;
// index 0 is the empty prefix every log shares.
#pragma once
#include <vector>

#include "protocols/types.hpp"

namespace replisim {

struct LogEntry {
  Term term = 0;
  Key key = 0;
  Version version = 0;  // 0: a leader's no-op (Raft §8), which writes no key
  OpId op = 0;          // the client write that created the entry (0: a no-op)

  bool is_noop() const { return version == 0; }
  friend bool operator==(const LogEntry&, const LogEntry&) = default;
};

using Log = std::vector<LogEntry>;

inline LogIndex last_index(const Log& log) { return log.size(); }

// The term of the entry at `index`; 0 for index 0 or past the end.
Term term_at(const Log& log, LogIndex index);
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

// The newest version of `key` the log holds; 0 if no entry writes it.
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

}  // namespace replisim
