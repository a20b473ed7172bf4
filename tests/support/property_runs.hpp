// How many seeded schedules a property test runs.
#pragma once

namespace replisim::test {

// All of them in an optimised build; a quarter under the sanitizers, which
// run the code about ten times slower and are there to find memory errors
// and undefined behaviour on the paths the schedules take, not rarer
// schedules: the Release pass runs them all.
constexpr int property_runs(int full)
{
#ifdef REPLISIM_SANITIZED
  return full / 4;
#else
  return full;
#endif
}

}  // namespace replisim::test
