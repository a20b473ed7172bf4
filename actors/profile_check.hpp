// The profiles a platform file names (a host's speed_file and state_file, a
// link's bandwidth_file, latency_file and state_file), checked before SimGrid
// reads them: SimGrid 3.32 aborts on a line it cannot parse without naming
// the file, cannot open an absolute path, loops for ever on a profile that
// repeats with a period of 0, and divides by a speed of 0.
#pragma once
#include <string>

namespace replisim {

// The shortest period of a profile that repeats (LOOPAFTER or PERIODICITY):
// below, its events pile up faster than anything else in the run.
inline constexpr double kMinProfilePeriod = 1e-3;

struct PlatformProfiles {
  bool state = false;  // some host or link has a state_file: it goes off and on during the run
};

// Reads every profile `platform` names, relative to the platform file's
// directory (SimGrid's search path), and checks each line: `TIME VALUE` with
// times finite, not negative and in order; speeds and bandwidths positive,
// latencies in [0, 1 day] and not below SimGrid's 1 ns precision unless 0;
// `LOOPAFTER D` / `PERIODICITY D` giving a period of at least
// kMinProfilePeriod. Throws PlatformError naming the platform file, the
// profile and its line.
PlatformProfiles check_profiles(const std::string& platform);

}  // namespace replisim
