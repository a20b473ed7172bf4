#include "experiments/bench/wall_phases.hpp"

#include <chrono>
#include <sys/resource.h>

#include <simgrid/s4u/Engine.hpp>

namespace replisim {

namespace {

using Clock = std::chrono::steady_clock;

struct Marks {
  Clock::time_point setup;
  Clock::time_point start;
  Clock::time_point end;
  long setup_peak_kb = 0;
  bool started = false;
  bool ended = false;
};

Marks& marks()
{
  static Marks m;
  return m;
}

double seconds(Clock::time_point from, Clock::time_point to) { return std::chrono::duration<double>(to - from).count(); }

}  // namespace

void start_wall_phases()
{
  static const bool hooked = [] {
    simgrid::s4u::Engine::on_simulation_start_cb([] {
      marks().start = Clock::now();
      marks().started = true;
      rusage usage{};
      getrusage(RUSAGE_SELF, &usage);
      marks().setup_peak_kb = usage.ru_maxrss;
    });
    simgrid::s4u::Engine::on_simulation_end_cb([] {
      marks().end = Clock::now();
      marks().ended = true;
    });
    return true;
  }();
  (void)hooked;
  marks() = Marks{};
  marks().setup = Clock::now();
}

WallPhases wall_phases()
{
  const Marks& m = marks();
  WallPhases p;
  p.setup_s = seconds(m.setup, m.started ? m.start : Clock::now());
  p.run_s = m.started && m.ended ? seconds(m.start, m.end) : 0;
  p.setup_peak_mb = static_cast<double>(m.setup_peak_kb) / 1024.0;
  return p;
}

}  // namespace replisim
