// The generated star (platforms/star_platform.hpp) built directly on the
// engine: every host on its own link to one centre. SimGrid's star routing
// finds a route in constant time, where the XML form's Dijkstra walks the
// centre's thousand edges for each new pair of hosts — the difference
// between seconds and minutes at a thousand nodes.
#pragma once
#include "actors/engine_setup.hpp"
#include "platforms/star_platform.hpp"

namespace replisim {

// Builds and seals the star; nodes node0…, clients client0…, in that order.
PlatformHosts build_star(simgrid::s4u::Engine& engine, const StarSpec& spec);

}  // namespace replisim
