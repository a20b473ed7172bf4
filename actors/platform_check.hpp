// What replisim checks before SimGrid runs, because SimGrid itself would
// abort (xbt_die: a backtrace and exit 134), print pages of text, or run on
// and fail mid-simulation: a platform file that is a directory or of an
// unsupported version, links without bandwidth, nodes that cannot reach each
// other, and --cfg=/--log= options SimGrid refuses.
#pragma once
#include <string>
#include <vector>

#include "actors/engine_setup.hpp"

namespace replisim {

// Before SimGrid reads it: `path` is a readable regular file whose
// <platform version="..."> SimGrid 3.32 reads (4.0 to 4.1). Throws
// PlatformError naming the file.
void check_platform_file(const std::string& path);

// Why `from` cannot send to `to` ("no route", or SimGrid's message), or empty
// when it can: SimGrid's own test (an empty route without latency aborts a
// transfer).
std::string route_problem(const simgrid::s4u::Host* from, const simgrid::s4u::Host* to);

// After loading and sealing: every link of the platform has a positive,
// finite bandwidth and a finite, non-negative latency of at most a day (once
// multiplied by `latency_scale`); every node and client host a positive speed;
// every node reaches every node, and every client every node and back. On a
// large platform (more than kAllPairsHosts hosts), node 0 to every host and a
// few hosts (the clients, when few) to node 0, where each route is cheap: the
// network checks the others on their first use (Network::unreachable). Throws PlatformError naming the file and the hosts or link.
inline constexpr std::size_t kAllPairsHosts = 300;
void check_platform(const std::string& path, const PlatformHosts& hosts, double latency_scale);

// What the run will ask of SimGrid, tried first in a child process, so that
// SimGrid's aborts become one line: each of `user_args` (--cfg=, --log=) on
// a tiny platform, then, when `platform` is not empty, that file with all of
// them (loaded, sealed and checked by check_platform on its first `nodes`
// node hosts, all of them when `nodes` is 0). Throws std::invalid_argument
// naming the option, or PlatformError naming the file.
void probe_simgrid(const std::vector<std::string>& user_args, const std::string& platform, int nodes,
                   double latency_scale);

}  // namespace replisim
