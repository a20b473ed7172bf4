// --faults FILE: a fault schedule in TOML.
//
//   [[crash]]                 # a host goes off, and maybe comes back
//   host = "n3"               # a host name; or node = 3 (an index), or node = "most-leaders"
//   at = "10s"                #   (the node leading the most units at that time)
//   recover = "60s"           # optional
//
//   [[link]]                  # a link goes down, and maybe up
//   link = "n3-link"
//   down = "5s"
//   up = "8s"                 # optional
//
//   [[partition]]             # messages between the two sides are lost
//   sides = [["us-east"], ["us-west", "eu-west"]]   # zone or host names
//   from = "10s"
//   until = "20s"             # optional
//
//   [[pause]]                 # a node handles nothing for a while, and loses nothing
//   node = "most-leaders"     # or host = "n3", or node = 3
//   at = "10s"
//   resume = "14s"            # required
//
// Times as everywhere ("10s", "250ms"; a bare number is ms), or a range
// "lo:hi" drawn uniformly from the run's seed (at = "2s:2.075s": a crash at
// a random phase of a heartbeat interval, different for every seed).
#pragma once
#include <cstdint>
#include <string>

#include "actors/fault_plan.hpp"

namespace replisim {

// Throws std::invalid_argument with one line naming the file, its line and
// the key ("faults.toml:7: crash.at: '1O s' is not a duration").
// `seed` draws the times given as ranges, in file order.
FaultPlan read_fault_file(const std::string& path, std::uint64_t seed);

}  // namespace replisim
