// Leader elections after Raft (Ongaro and Ousterhout, "In Search of an
// Understandable Consensus Algorithm", USENIX ATC 2014): the configuration
// that turns them on, and the small pure rules the leader-follower machine
// builds them from. No state here: the machine keeps its terms, votes and
// logs; these functions only decide.
#pragma once
#include <cstdint>
#include <vector>

#include "protocols/kafka/kafka_controller_config.hpp"
#include "protocols/common/rng.hpp"
#include "protocols/common/types.hpp"

namespace replisim {

// When a leader that has lost touch with a majority of its unit's replicas
// gives up leading.
enum class StepDown : std::uint8_t {
  // Never: Raft as in the paper; a leader cut off leads on until a newer
  // term reaches it.
  never,
  // etcd's CheckQuorum: every election timeout (the shortest) the leader
  // checks that a majority, itself included, was heard from since the last
  // check, and steps down otherwise, so within one to two election
  // timeouts. Its followers then keep a lease: one that heard from a leader
  // less than the shortest election timeout ago ignores vote requests.
  check_quorum,
  // MongoDB: a member not heard from for electionTimeoutMillis counts as
  // down, checked at each heartbeat; a primary that sees fewer than a
  // majority up steps down. No lease.
  member_timeout,
};

// Failover of each unit's leader. The default, none(), is off: each unit's
// primary leads at term 1 for the whole run, with no timer and no heartbeat.
// On, a unit's leaders are elected by Raft votes, or (controller.enabled)
// chosen by a Kafka controller; both replicate with Raft's appends.
struct FailoverConfig {
  bool enabled = false;
  // A leader node sends one Heartbeat to each follower node this often,
  // covering every unit it leads there.
  Time heartbeat_interval = 0;
  // §5.2: a follower that hears no leader for its election timeout, drawn
  // uniformly in [min, max] at every reset, stands for election.
  Time election_timeout_min = 0;
  Time election_timeout_max = 0;
  // The run's failover seed: node n draws its timeouts from derive_seed(seed, n).
  std::uint64_t seed = 0;
  // MongoDB's primary catch-up: a new leader takes writes only once it has
  // heard the log ends of a majority and is at least as long as the longest
  // (docs/models/leader-follower.md). Raft's leader takes them at once.
  bool catch_up = false;
  // How long a new leader catches up at most before it takes writes
  // (MongoDB's catchUpTimeoutMillis; -1, unbounded, its default since 3.6).
  Time catch_up_timeout = kNever;
  // MongoDB's catch-up takeover: a member more up to date than a leader
  // still catching up stands for election once it has seen it so for this
  // long (catchUpTakeoverDelayMillis, 30 s). kNever: never.
  Time catch_up_takeover_delay = kNever;
  // When a leader that cannot reach a majority steps down (none: it leads
  // on, as in the Raft paper).
  StepDown step_down = StepDown::never;
  // Raft thesis §9.6, etcd's PreVote: a node whose election timeout fires
  // first asks, at the next term but without taking it, whether a majority
  // would vote for it, and stands only if so.
  bool pre_vote = false;
  // etcd's raft (--failover etcd): time counted in ticks of each node's own
  // ticker, one tick per heartbeat_interval, with a per-node phase; the
  // election timeout is drawn in [min, 2 min) ticks when the term or role
  // changes, and max is its largest draw, 2 min - 1 tick
  // (protocols/leader_follower/etcd_ticks.hpp). min is a whole number of
  // ticks, at least 5.
  bool ticks = false;
  // Write concern `all` (Kafka's acks=all): a follower the leader has not
  // heard from for this long leaves the in-sync set, and rejoins once it holds
  // the commit index (Kafka's replica.lag.time.max.ms). kNever: every replica
  // stays in sync, so `all` waits for every replica (MongoDB's w:all).
  Time replica_lag_max = kNever;
  // Kafka's controller decides each partition's leader instead of votes;
  // the election timeouts are then unused and nothing is drawn.
  KafkaControllerConfig controller;

  static FailoverConfig none() { return {}; }
  // Raft: timeouts uniform in [lo, hi] (the paper's 150–300 ms; etcd's
  // [1 s, 2 s) with 100 ms heartbeats); a follower silent for hi leaves the
  // in-sync set of acks=all.
  static FailoverConfig raft(Time lo, Time hi, Time heartbeat, std::uint64_t seed);
  // MongoDB replica sets' defaults: heartbeatIntervalMillis 2000,
  // electionTimeoutMillis 10000 plus up to 15 % jitter ([10 s, 11.5 s]),
  // catch-up on (unbounded, copying from the member ahead), a primary that
  // sees no majority steps down, pv1's dry-run elections (pre-vote);
  // w:all waits for every member.
  static FailoverConfig mongodb(std::uint64_t seed);
  // etcd 3.4's server: ticks of `heartbeat` (--heartbeat-interval, 100 ms by
  // default), a base election timeout `et` (--election-timeout, 1000 ms)
  // drawn in [et, 2 et) ticks, CheckQuorum on (the server always sets it),
  // pre-vote off (3.4's default; 3.5 turned it on).
  static FailoverConfig etcd(Time heartbeat, Time election_timeout, std::uint64_t seed);
  // Kafka's defaults: a controller with KafkaControllerConfig's defaults;
  // leaders send followers an (empty) append every 0.5 s, the longest an
  // idle follower's fetch waits (replica.fetch.wait.max.ms = 500); a follower
  // silent for replica.lag.time.max.ms = 30 s leaves the ISR at the next
  // ISR check, every 15 s from the broker's start at a phase node n draws
  // from derive_seed(seed, n).
  static FailoverConfig kafka(std::uint64_t seed);
};

// Throws std::invalid_argument unless an enabled config has a positive
// heartbeat and replica_lag_max and, with Raft's votes, 0 < min <= max
// (with ticks, min a whole number of at least 5 ticks); with
// a controller, 0 < broker heartbeat < session timeout, a positive rebalance
// interval and an imbalance percentage in [0, 100].
void validate(const FailoverConfig& config);

// With ticks: the election timeout in ticks (election_timeout_min /
// heartbeat_interval, rounded to the nearest whole tick).
int election_ticks(const FailoverConfig& config);

// What a replica is for one unit at one moment (§5.1).
enum class ReplicaRole : std::uint8_t { follower, candidate, leader };
const char* to_string(ReplicaRole role);

// Votes to win an election among `replicas`, and copies to commit: ⌊n/2⌋ + 1.
int majority(int replicas);

// §5.2: a timeout uniform in [lo, hi] (exactly lo when they are equal; one
// draw either way, so equal bounds shift no other draw).
Time draw_election_timeout(Rng& rng, Time lo, Time hi);

// §5.4.1: "If the logs have last entries with different terms, then the log
// with the later term is more up-to-date. If the logs end with the same term,
// then whichever log is longer is more up-to-date." Whether the candidate's
// log is at least as up to date as the voter's.
bool candidate_up_to_date(Term candidate_last_term, LogIndex candidate_last_index, Term voter_last_term,
                          LogIndex voter_last_index);

// §5.2: "Each server will vote for at most one candidate in a given term, on a
// first-come-first-served basis", and only for an up-to-date candidate
// (§5.4.1). `voted_for` is the voter's vote at the request's term (kNoNode:
// none yet); asked again, it grants the same candidate again.
bool grants_vote(NodeId voted_for, NodeId candidate, bool candidate_up_to_date);

// Votes a candidate holds, per replica of the unit (in replica-set order).
class VoteTally {
public:
  VoteTally() = default;
  explicit VoteTally(int replicas) : granted_(static_cast<std::size_t>(replicas), false) {}
  void grant(int position) { granted_.at(static_cast<std::size_t>(position)) = true; }
  int count() const;
  bool won() const { return !granted_.empty() && count() >= majority(static_cast<int>(granted_.size())); }

private:
  std::vector<bool> granted_;
};

}  // namespace replisim
