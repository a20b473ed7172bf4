// A long run's progress line on a terminal: simulated time, operations done,
// their rate and an ETA, redrawn in place. Quiet when stderr is not a
// terminal, and for runs shorter than a couple of seconds.
#pragma once
#include <chrono>
#include <cstdint>
#include <ostream>

#include "protocols/common/types.hpp"

namespace replisim {

class RunProgress {
public:
  RunProgress(std::ostream& out, bool terminal, std::uint64_t ops);
  // An operation finished at simulated time `now`; cheap (looks at the
  // wall clock once in a while).
  void op_done(Time now)
  {
    ++done_;
    if (terminal_ && (done_ & 1023) == 0)
      maybe_draw(now);
  }
  // Clears the line, if one was drawn.
  void end();

private:
  void maybe_draw(Time now);

  std::ostream& out_;
  bool terminal_;
  std::uint64_t ops_;
  std::uint64_t done_ = 0;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_ = start_;
};

}  // namespace replisim
