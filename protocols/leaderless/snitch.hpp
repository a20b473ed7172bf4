// How a coordinator ranks a key's replicas before reading (Cassandra's
// endpoint snitches). The static order is the one of Cassandra's topology
// snitches (AbstractNetworkTopologySnitch.compareEndpoints): the coordinator
// itself, then replicas of its own datacenter (zone), then the others, ring
// order among equals. The dynamic snitch (DynamicEndpointSnitch, on by
// default: dynamic_snitch true) reorders them by recent read latency, with
// the defaults of cassandra.yaml:
//   dynamic_snitch_update_interval 100 ms — scores are recomputed that often;
//   dynamic_snitch_reset_interval 600 s  — the samples are forgotten that often;
//   dynamic_snitch_badness_threshold 1.0 — the static order is kept unless a
//     replica in it scores worse than the replica at its place in the score
//     order by more than that fraction (1.0: twice as bad).
// A replica's score is the median of its last 100 read latencies (in ms;
// Cassandra keeps an exponentially decaying reservoir of 100 samples) over
// the largest such median, itself at least 1 ms; a replica without samples
// (the coordinator itself, read locally in Cassandra) scores 0.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "protocols/common/membership.hpp"
#include "protocols/common/types.hpp"

namespace replisim {

enum class SnitchKind : std::uint8_t { dynamic, simple };
// "dynamic" or "simple"; throws std::invalid_argument naming the value.
SnitchKind parse_snitch(const std::string& text);

struct SnitchConfig {
  SnitchKind kind = SnitchKind::dynamic;
  Time update_interval = 0.1;
  Time reset_interval = 600.0;
  double badness_threshold = 1.0;
};

// The static order of `replicas` (given in ring order) seen from `self`.
std::vector<NodeId> proximity_order(NodeId self, const std::vector<NodeId>& replicas, const Membership& membership);

class DynamicSnitch {
public:
  explicit DynamicSnitch(SnitchConfig config = {});

  // A read answered by `replica` `latency` seconds after it was asked.
  void record(NodeId replica, Time latency, Time now);
  // Reorders `replicas`, given in the static order, as the snitch would at
  // `now` (SimpleSnitch-like when the kind is simple: left as is).
  void sort(std::vector<NodeId>& replicas, Time now);
  // The score the last update gave `replica` (0 without samples).
  double score(NodeId replica, Time now);

private:
  static constexpr std::size_t kWindow = 100;  // samples kept per replica
  struct Samples {
    std::vector<float> ms;  // ring buffer of the last kWindow latencies
    std::size_t next = 0;
  };
  // Runs the periodic update and reset whose time has come, in order, so
  // that a lazy evaluation equals Cassandra's scheduled tasks.
  void advance(Time now);
  void update_scores();

  SnitchConfig config_;
  std::map<NodeId, Samples> samples_;
  std::map<NodeId, double> scores_;
  Time next_update_;
  Time next_reset_;
};

}  // namespace replisim
