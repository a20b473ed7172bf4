// Cassandra's gossip as a failure detector (org.apache.cassandra.gms.Gossiper
// and FailureDetector): once a second (Gossiper.intervalInMillis) a node
// bumps its own heartbeat version, opens an exchange with a random live peer
// (GossipDigestSyn, answered by GossipDigestAck) and checks every endpoint's
// phi (doStatusCheck → FailureDetector.interpret, phi_detector.hpp),
// convicting those above phi_convict_threshold. A node learns a newer
// heartbeat of an endpoint from whoever knew it, and the endpoint's phi
// counts from that arrival. A convicted endpoint is alive again once a newer
// heartbeat of it arrives.
//
// The reduction (so that 10,000 nodes do not hold 10^8 pairs): in a round,
// the exchange with a peer brings the node every heartbeat the peer knows
// newer, and every live endpoint's version moves once a round; so a
// completed exchange (the GossipAck answering this node's GossipSyn) is an
// arrival of a newer heartbeat of every endpoint that is still heartbeating,
// and one ArrivalMean per node (not per pair) holds their intervals. State
// per endpoint is held only for endpoints that stopped heartbeating (the
// run's faults tell which, as the ground truth of who went silent, never as
// an answer): the last arrival and mean as they stood when the endpoint went
// silent, frozen as Cassandra's window of a silent endpoint is, and when it
// was convicted. What this leaves out is how long the last heartbeat took to
// spread (push-pull gossip: O(log N) rounds, Demers et al. 1987), which
// would delay each observer's last arrival, and so its conviction, by that
// much. A partition is not a silence here: nodes cut off stay unconvicted
// (their requests time out), as under the oracle.
#pragma once
#include <map>
#include <utility>
#include <vector>

#include "protocols/common/phi_detector.hpp"
#include "protocols/common/ready.hpp"
#include "protocols/common/rng.hpp"

namespace replisim {

struct GossipConfig {
  Time interval = 1.0;  // Gossiper.intervalInMillis
  PhiConfig phi;
};

// A change of this node's verdict on an endpoint.
struct Verdict {
  NodeId node = kNoNode;
  bool convicted = true;  // false: alive again
  Time at = 0;
};

class Gossiper {
public:
  // `timer`: the id of the round timer in the owner's timer space.
  Gossiper(NodeId self, int node_count, GossipConfig config, std::uint64_t seed, TimerId timer);

  // Arms the first round, a random fraction of an interval from now (nodes
  // do not start in step).
  void start(Time now, Ready& out);
  bool is_round(TimerId id) const { return id == timer_; }
  // A round: heartbeat, an exchange with a random endpoint not convicted,
  // the status check; arms the next.
  void round(Time now, Ready& out);
  void on(const GossipSyn& m, Address from, Time now, Ready& out);
  void on(const GossipAck& m, Address from, Time now, Ready& out);

  // The run's faults: `node` stopped heartbeating at `now` (it crashed), or
  // heartbeats again (it came back; this node learns so at its next exchange).
  void went_silent(NodeId node, Time now);
  void heard_again(NodeId node);
  // Whether the run told this node `node` went silent and not yet that it is back.
  bool silent(NodeId node) const
  {
    const auto it = silent_.find(node);
    return it != silent_.end() && !it->second.back;
  }
  // Endpoints down when this node starts or restarts: convicted at once (it
  // learns their state, convicted, from its peers).
  void convict_now(NodeId node, Time now);
  // Volatile state goes with a crash: the round timer and the arrivals; the
  // verdicts are relearnt from peers (convict_now) on the way back.
  void crash();

  bool convicted(NodeId node) const
  {
    const auto it = silent_.find(node);
    return it != silent_.end() && it->second.convicted;
  }
  // Verdicts since the last call, in the order they were reached.
  std::vector<Verdict> take_verdicts() { return std::exchange(verdicts_, {}); }
  // Seconds from each endpoint's silence to this node's conviction of it.
  const std::vector<Time>& detections() const { return detections_; }
  std::uint64_t messages_sent() const { return messages_sent_; }
  const ArrivalMean& arrivals() const { return arrivals_; }
  // The earliest conviction of `node` the status checks can reach: its frozen
  // last arrival plus threshold · ln 10 · mean (kNever: not silent).
  Time conviction_bound(NodeId node) const;

private:
  struct Silent {
    Time since = 0;
    ArrivalMean last;  // the arrivals as they stood when it went silent
    bool convicted = false;
    bool back = false;  // heartbeating again: alive at the next exchange
  };
  void status_check(Time now);
  NodeId pick_peer();

  NodeId self_;
  int node_count_;
  GossipConfig config_;
  Rng rng_;
  TimerId timer_;
  std::uint64_t heartbeat_ = 0;
  ArrivalMean arrivals_;
  std::map<NodeId, Silent> silent_;  // only endpoints that stopped: a handful, not one per node
  std::vector<Verdict> verdicts_;
  std::vector<Time> detections_;
  std::uint64_t messages_sent_ = 0;
};

}  // namespace replisim
