// A broker's idea of which node is the active Kafka controller (see
// kafka_controller.hpp), without a controller quorum's votes. Node 0 is the
// controller at the start. A broker that has no answer from its controller
// for a session timeout turns to the next node id (wrapping round); the walk
// reaches the broker's own id only once every lower id has been tried, and
// it takes over then if none of them answered for a session timeout: so the lowest live
// node becomes the controller once it notices. A node that is not the
// controller answers a heartbeat with the controller it has heard from
// (none if none), and the broker turns there, unless that node gave no
// answer for a session timeout; named itself, it takes over (a controller back from
// a crash the others have not noticed). A broker back from a crash asks the
// node after it first, and so does a controller that resigned for want of a
// majority (KIP-595).
#pragma once
#include <vector>

#include "protocols/common/messages.hpp"

namespace replisim {

class ControllerFinder {
public:
  ControllerFinder(NodeId self, int nodes, Time session_timeout)
      : self_(self), nodes_(nodes), session_timeout_(session_timeout)
  {
  }

  // The node this broker asks.
  NodeId controller() const { return controller_; }
  // That node, once it has answered as the controller; kNoNode before.
  NodeId confirmed() const { return confirmed_ ? controller_ : kNoNode; }
  // The controller holds this broker's registration (else heartbeats carry it).
  bool registered() const { return registered_; }
  // Back from a crash and not registered since.
  bool restarted() const { return restarted_; }
  // The nodes that gave no answer at all for a session timeout since a
  // controller last answered.
  const std::vector<NodeId>& silent() const { return silent_; }
  // The controller's LeaderAndIsr messages received in sequence (or
  // superseded by a full one) since this broker turned to it.
  std::uint64_t decisions() const { return decisions_; }

  void start(Time now);
  // After a crash. Returns whether this node is to take over at once (it is the only node).
  bool restart(Time now);
  // A heartbeat is due. Returns whether this node is to take over now.
  bool heartbeat_due(Time now);
  // An answer to a heartbeat. Returns whether this node is to take over now.
  bool on_reply(NodeId from, const BrokerHeartbeatReply& m, Time now);
  void received(NodeId from, const LeaderAndIsr& m);
  void took_over();
  // This node's controller resigned (no quorum): it asks the node after it.
  void resigned(Time now);

private:
  bool turn_to(NodeId node, Time now);
  bool lower_ids_silent() const;

  NodeId self_;
  int nodes_;
  Time session_timeout_;
  NodeId controller_ = 0;
  Time heard_ = 0;     // when it last answered as the controller, or when this broker turned to it
  Time answered_ = 0;  // when it last answered anything, or when this broker turned to it
  bool confirmed_ = false;  // it answered as the controller
  bool registered_ = true;
  bool restarted_ = false;
  std::vector<NodeId> silent_;
  std::uint64_t decisions_ = 0;
};

}  // namespace replisim
