// What a leader knows of each replica of a unit, itself included, after
// etcd's tracker/progress.go: one Progress per replica instead of one vector
// per field, so that the rules that move it (an ack, a refusal, a silence)
// are stated and tested in one place. A leader builds them when its term
// starts and loses them with it (they are volatile, as Raft's nextIndex and
// matchIndex are).
#pragma once
#include <vector>

#include "protocols/common/types.hpp"

namespace replisim {

struct Progress {
  static constexpr LogIndex kUnreported = ~LogIndex{0};

  // The replica's log is known to match the leader's up to here (Raft's matchIndex).
  LogIndex match = 0;
  // The next entry to send it (Raft's nextIndex): entries before it are in flight or held.
  LogIndex next = 1;
  // After a refusal: one entry at a time until the logs match (etcd's
  // StateProbe), so that a burst of refusals of entries in flight costs one
  // probe, not a resend each.
  bool probing = false;
  // Counts for acks=all (Kafka's ISR); every replica starts in sync.
  bool in_sync = true;
  Time last_heard = 0;
  // MongoDB's catch-up: the last index the replica reported this term.
  LogIndex reported = kUnreported;
  Term reported_term = 0;  // the term of that entry: with it, the replica's optime

  // §5.3: "When a leader first comes to power, it initializes all nextIndex
  // values to the index just after the last one in its log."
  static Progress of_follower(LogIndex leader_last, Time now);
  // The leader's own: it holds its whole log and has nothing to report.
  static Progress of_leader(LogIndex leader_last, Time now);

  // The replica acknowledged holding the leader's log up to `held`. A probe
  // that matched ends the probing; `next` never falls behind what is held.
  void acknowledged(LogIndex held);
  // It holds everything sent and the leader has more: time for the next batch.
  bool wants_more(LogIndex leader_last) const { return !probing && match + 1 == next && next <= leader_last; }
  // The replica refused the append after `rejected`, hinting that its log may
  // share the leader's up to `hint`. Backs `next` up to the hint (never below
  // what is held, nor into the entries the leader discarded, which every
  // replica holds) and starts probing. False, changing nothing, for a stale
  // refusal: of an entry already held, or, while probing, of any append but
  // the probe.
  bool back_up(LogIndex rejected, LogIndex hint, LogIndex first_kept);
  // Kafka: a follower out of the ISR rejoins once it holds `index`.
  void rejoin_if_holds(LogIndex index);
  // replica.lag.time.max.ms: whether it answered within `lag` of `now`.
  bool heard_within(Time lag, Time now) const { return now - last_heard <= lag; }
  bool has_reported() const { return reported != kUnreported; }
};

// Over a unit's replicas, in replica-set order, the leader's own included:
// the inputs of the commit rules (raft_log.hpp, write_concern.hpp).
std::vector<LogIndex> match_indexes(const std::vector<Progress>& replicas);
std::vector<bool> in_sync_flags(const std::vector<Progress>& replicas);
int count_in_sync(const std::vector<Progress>& replicas);
// How many replicas hold the entry at `index`: a write's acks.
int count_holding(const std::vector<Progress>& replicas, LogIndex index);
// acks=all: the highest index every in-sync replica holds, no further than `commit`.
LogIndex held_by_in_sync(const std::vector<Progress>& replicas, LogIndex commit);

}  // namespace replisim
