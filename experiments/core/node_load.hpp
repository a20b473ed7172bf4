// How busy each node was: its workers' share of the run spent on messages,
// how long messages waited for a worker, and how long its inbox got. The
// figures that show a hot leader.
#pragma once
#include <vector>

#include "actors/server.hpp"
#include "experiments/output/samples.hpp"

namespace replisim {

struct NodeLoadSummary {
  int threads = 1;
  double busy_fraction = 0;      // worker-seconds busy / (threads × run seconds)
  double queue_wait_p99_ms = 0;  // NaN when the node handled nothing
  double queue_wait_mean_ms = 0;
  std::size_t max_queue_length = 0;
  std::uint64_t handled = 0;
};

// `waits`: seconds each message the node handled waited for a worker.
NodeLoadSummary summarise_load(const NodeLoad& load, const Samples& waits, double run_s);

// The node with the largest busy fraction (the first of equals); -1 if none.
int busiest_node(const std::vector<NodeLoadSummary>& loads);

}  // namespace replisim
