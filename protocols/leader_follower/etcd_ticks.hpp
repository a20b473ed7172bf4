// Time as etcd's raft counts it (go.etcd.io/etcd/raft, raft.go, v3.4): in
// ticks of each node's own ticker, not in seconds. The etcd server ticks its
// raft node every --heartbeat-interval (raftNode's time.Ticker); a follower
// or candidate counts the ticks since it last heard from its leader
// (electionElapsed) and stands once they reach a timeout drawn in
// [electionTimeout, 2 electionTimeout) ticks when its term or role changes,
// not at every heartbeat; a leader counts the same ticks towards its
// CheckQuorum. Used by RaftVotes when FailoverConfig::ticks is set
// (--failover etcd).
#pragma once
#include "protocols/common/rng.hpp"
#include "protocols/common/types.hpp"

namespace replisim {

// A node's ticker: ticks at origin + k tick for every integer k, the origin
// (the node's phase) drawn when its process starts. A tick missed while the
// node was paused is not made up: the next tick is the first after now, as
// with Go's time.Ticker, which drops the ticks its reader is too slow for
// and keeps its phase.
struct Ticker {
  Time origin = 0;
  Time tick = 0;
  // The first tick strictly after `now` (a tick within a millionth of a
  // tick of now counts as now: the sum origin + k tick rounds).
  Time next_after(Time now) const;
};

// One unit's election clock, in ticks, as raft.go keeps it.
class TickElection {
public:
  // `election_ticks`: etcd's electionTimeout (ElectionTicks = election
  // timeout / heartbeat interval), at least 1.
  TickElection() = default;
  explicit TickElection(int election_ticks) : timeout_(election_ticks), randomized_(election_ticks) {}

  // reset(), called by becomeFollower, becomeCandidate and becomeLeader:
  // electionElapsed = 0 and resetRandomizedElectionTimeout(), which draws
  // electionTimeout + rand.Intn(electionTimeout).
  void reset(Rng& rng);
  // stepFollower on MsgApp or MsgHeartbeat, and Step on granting a MsgVote:
  // electionElapsed = 0, the timeout kept.
  void heard() { elapsed_ = 0; }
  // tickElection: electionElapsed++, and true (electionElapsed = 0) once
  // pastElectionTimeout: electionElapsed >= randomizedElectionTimeout.
  bool tick();
  // tickHeartbeat, a leader's: electionElapsed++, and true (electionElapsed
  // = 0) once it reaches electionTimeout: the leader checks its quorum.
  bool quorum_check_due();
  // Step's lease for MsgVote and MsgPreVote with checkQuorum:
  // electionElapsed < electionTimeout (the caller adds r.lead != None).
  bool in_lease() const { return elapsed_ < timeout_; }

  int elapsed() const { return elapsed_; }
  int randomized() const { return randomized_; }

private:
  int timeout_ = 1;
  int randomized_ = 1;
  int elapsed_ = 0;
};

}  // namespace replisim
