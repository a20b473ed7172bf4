// The bare loop's traffic, one shape per replication model: which hosts a
// client request's transfers go to, as replisim's model sends them, with no
// protocol. A request goes from a client to an entry node (coordinator,
// leader or head), which sends it down each of its branches; the last node
// of a branch acknowledges back along it; the entry answers the client when
// every branch has acknowledged (or, for a chain, the tail answers).
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace replisim {

struct Route {
  int entry = 0;                           // the node the client sends to
  std::vector<std::vector<int>> branches;  // each visited in order, acknowledged back in reverse
  bool tail_replies = false;               // the last node of the (single) branch answers the client
};

// Transfers a route costs: the request, each hop forward and back, the reply.
std::uint64_t transfers_per_request(const Route& route);

// The shapes, by model name; throws std::invalid_argument for an unknown one.
//   leader-follower  a random replica set's leader (sets of rf consecutive
//                    nodes, as leader_follower_placement) to its rf−1 followers
//   partitioned      a random partition's leader to the rf−1 nodes after it
//   leaderless       a random coordinator to the rf ring neighbours of a
//                    random key (which may include the coordinator itself)
//   chain            a random chain's head, through rf−1 nodes, the tail answering
//   multi-leader     a random node to every other node
class TrafficShape {
public:
  TrafficShape(const std::string& model, int nodes, int rf);
  Route draw(std::minstd_rand& rng) const;

private:
  enum class Kind { leader_follower, partitioned, leaderless, chain, multi_leader } kind_;
  int nodes_;
  int rf_;
};

}  // namespace replisim
