// Client-side routing for models with a leader per unit: writes go to the
// unit's leader (its primary until failover exists); reads go where
// --read-from says.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "protocols/client/client.hpp"

namespace replisim {

enum class ReadFrom : std::uint8_t { primary, secondary, nearest };
ReadFrom parse_read_from(const std::string& text);
std::string to_string(ReadFrom from);

class ReplicaRouter final : public Router {
public:
  // latency_to_node[n]: one-way route latency from this client to node n, for `nearest`.
  ReplicaRouter(const Placement& placement, ReadFrom read_from, std::vector<double> latency_to_node);
  // With failover, for units whose primary is down for the whole run
  // (--down): where their writes go instead, the leader elected in its place
  // (or, before one is, another replica, which names it once it knows). A
  // client's driver learns it from the replica set's topology.
  void route_around_down_primaries(std::vector<bool> down, std::function<NodeId(UnitId)> leader_now)
  {
    down_ = std::move(down);
    leader_now_ = std::move(leader_now);
  }
  NodeId route(OpKind kind, UnitId unit, Rng& rng) const override;
  bool acks_name_the_leader() const override { return true; }
  // Writes, and reads from the primary (MongoDB's readPreference primary, a
  // Kafka consumer's fetch from the leader).
  bool to_leader(OpKind kind) const override { return kind == OpKind::write || read_from_ == ReadFrom::primary; }

private:
  const Placement& placement_;
  ReadFrom read_from_;
  std::vector<double> latency_to_node_;
  std::vector<bool> down_;  // per node, when route_around_down_primaries was called
  std::function<NodeId(UnitId)> leader_now_;
};

}  // namespace replisim
