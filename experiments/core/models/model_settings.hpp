// What a model may know of the run: a narrow view of RunConfig, so that
// models depend on the settings they use and not on the command line's.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace replisim {

// The run's common settings a model depends on, and nothing else of the run.
struct ModelSettings {
  int rf = 3;                                            // replicas per unit
  std::vector<std::pair<std::string, int>> rf_per_zone;  // leaderless network-topology: zone → rf
  std::uint64_t seed = 1;                                // the run's seed, for the model's own draws
  double timeout_s = 2;                                  // a client's attempt times out after this
  bool faults = false;                                   // a fault schedule is given
};

}  // namespace replisim
