#include "experiments/core/node_load.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "experiments/core/op_metrics.hpp"

namespace replisim {

NodeLoadSummary summarise_load(const NodeLoad& load, const Samples& waits, double run_s)
{
  NodeLoadSummary s;
  s.threads = load.threads;
  s.busy_fraction = run_s > 0 ? load.busy_s / (load.threads * run_s) : 0;
  s.queue_wait_p99_ms = waits.percentile(99) * 1e3;
  s.queue_wait_mean_ms = waits.empty() ? std::nan("") : waits.sum() * 1e3 / static_cast<double>(waits.size());
  s.max_queue_length = load.max_queue_length;
  s.handled = load.handled;
  return s;
}

int busiest_node(const std::vector<NodeLoadSummary>& loads)
{
  int best = -1;
  for (std::size_t n = 0; n < loads.size(); ++n)
    if (best < 0 || loads[n].busy_fraction > loads[static_cast<std::size_t>(best)].busy_fraction)
      best = static_cast<int>(n);
  return best;
}

}  // namespace replisim
