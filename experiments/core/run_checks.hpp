// What a run checks after its flags and before SimGrid starts: where it will
// write, and what SimGrid will be asked to load (platform_check.hpp).
#pragma once
#include "experiments/core/run_config.hpp"

namespace replisim {

// --out is a directory, or can be created, and can be written in; --roles-dot
// is not a directory and its directory exists and can be written in. Throws
// std::invalid_argument naming the flag. Leaves nothing behind.
void check_output_paths(const RunConfig& config);

// check_output_paths, then the platform file and the --cfg=/--log= options,
// tried on SimGrid in a child process first. Throws std::invalid_argument
// (a flag or option) or PlatformError (the platform file).
// Notes in `config` what it finds that the run depends on (state profiles).
void check_run_inputs(RunConfig& config);

}  // namespace replisim
