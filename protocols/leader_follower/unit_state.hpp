// What a LeaderFollowerNode keeps per unit it replicates, split by what a
// crash does to it: the durable part survives, the volatile part is lost. Its
// leadership policy reads and changes the same state (leadership_policy.hpp),
// so it is a header of its own.
#pragma once
#include <map>
#include <vector>

#include "protocols/common/fifo.hpp"
#include "protocols/common/messages.hpp"
#include "protocols/common/on_demand.hpp"
#include "protocols/leader_follower/progress.hpp"
#include "protocols/raft/election.hpp"
#include "protocols/raft/raft_log.hpp"

namespace replisim {

struct PendingWrite {
  LogIndex index;
  Address client;
  OpId op;
  Version version;
};

// A linearizable read waiting for the no-op entry at `index` to commit.
struct PendingRead {
  LogIndex index;
  Address client;
  OpId op;
  Key key;
};

// The unit's term, the vote cast in it, and its log; and how far the
// snapshot reads may return has applied it (read_concern.hpp): committed
// entries are never truncated, so it survives a crash.
struct Durable {
  Term term = 1;
  NodeId voted_for = kNoNode;
  Log log;
  LogIndex visible_applied = 0;
};

// A leader's view of its replicas and of the writes it owes an answer.
struct Leading {
  std::vector<Progress> replicas;  // in replica-set order, the leader's own included
  bool writable = true;
  LogIndex term_start = 0;      // the index of the no-op that opened the leader's term
  Time quorum_checked = 0;      // CheckQuorum: when the leader last counted the replicas it heard
  Time catch_up_started = 0;    // catch-up: when it began
  NodeId fetch_from = kNoNode;  // catch-up: the member ahead it copies from (kNoNode: none yet)
  Time fetch_sent = 0;
  LogIndex fetch_prev = 0;      // catch-up: the entry the last fetch asked after
  Fifo<PendingWrite> pending;  // unacknowledged writes, by index
  Fifo<PendingRead> reads;     // linearizable reads, by the index of their no-op
};

struct Volatile {
  ReplicaRole role = ReplicaRole::follower;
  NodeId leader = kNoNode;
  OnDemand<Leading> lead;               // a leader's only: followers hold none
  std::map<LogIndex, Replicate> early;  // follower: entries that arrived ahead of a gap
  LogIndex commit = 0;
  LogIndex visible = 0;   // reads bounded by a read concern return the entries up to here
  LogIndex verified = 0;  // follower: its log matches this term's leader's up to here
};

struct UnitState {
  UnitId id = 0;
  Durable durable;
  Volatile vol;
};

}  // namespace replisim
