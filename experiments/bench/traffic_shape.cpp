#include "experiments/bench/traffic_shape.hpp"

#include <stdexcept>

namespace replisim {

std::uint64_t transfers_per_request(const Route& route)
{
  std::uint64_t hops = 0;
  for (const auto& branch : route.branches)
    hops += 2 * branch.size();
  return hops + 2;
}

TrafficShape::TrafficShape(const std::string& model, int nodes, int rf) : nodes_(nodes), rf_(rf)
{
  if (rf < 1 || rf > nodes)
    throw std::invalid_argument("bare loop: rf must be between 1 and the node count");
  if (model == "leader-follower")
    kind_ = Kind::leader_follower;
  else if (model == "partitioned")
    kind_ = Kind::partitioned;
  else if (model == "leaderless")
    kind_ = Kind::leaderless;
  else if (model == "chain")
    kind_ = Kind::chain;
  else if (model == "multi-leader")
    kind_ = Kind::multi_leader;
  else
    throw std::invalid_argument("bare loop: no traffic shape for model '" + model + "'");
}

Route TrafficShape::draw(std::minstd_rand& rng) const
{
  const auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  const auto after = [&](int first, int count) {  // `count` nodes from `first` on, around the ring
    std::vector<std::vector<int>> one_each;
    for (int i = 0; i < count; ++i)
      one_each.push_back({(first + i) % nodes_});
    return one_each;
  };
  Route r;
  switch (kind_) {
  case Kind::leader_follower:
    r.entry = pick(nodes_ / rf_) * rf_;
    r.branches = after(r.entry + 1, rf_ - 1);
    break;
  case Kind::partitioned:
    r.entry = pick(nodes_);
    r.branches = after(r.entry + 1, rf_ - 1);
    break;
  case Kind::leaderless:
    r.entry = pick(nodes_);
    r.branches = after(pick(nodes_), rf_);
    break;
  case Kind::chain: {
    r.entry = pick(nodes_);
    std::vector<int> down;
    for (int i = 1; i < rf_; ++i)
      down.push_back((r.entry + i) % nodes_);
    if (!down.empty())
      r.branches.push_back(std::move(down));
    r.tail_replies = !r.branches.empty();
    break;
  }
  case Kind::multi_leader:
    r.entry = pick(nodes_);
    r.branches = after(r.entry + 1, nodes_ - 1);
    break;
  }
  return r;
}

}  // namespace replisim
