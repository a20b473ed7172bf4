// Wall-clock phases of the process's one simulation, for the benchmark: the
// set-up (engine, platform, deployment) until the engine's first event, and
// the simulation from then until the engine is done; and the memory the
// set-up took.
#pragma once

namespace replisim {

struct WallPhases {
  double setup_s = 0;
  double run_s = 0;
  double setup_peak_mb = 0;  // the process's peak resident memory at the first event, in MiB
};

// Starts the set-up clock now and hooks the engine's start and end (once per
// process: SimGrid's signals cannot be disconnected). Call before the engine
// is created.
void start_wall_phases();
// The phases so far (run_s stays 0 until the engine has finished).
WallPhases wall_phases();

}  // namespace replisim
