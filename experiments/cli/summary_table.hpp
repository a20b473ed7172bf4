// The run's summary for people: a short table on the terminal.
#pragma once
#include <ostream>

#include "experiments/core/experiment.hpp"

namespace replisim {

void print_summary_table(std::ostream& out, const Experiment& experiment);

}  // namespace replisim
