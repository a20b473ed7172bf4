// The platform replisim generates when no XML is given: one star. Every host
// has its own link of `latency` to a central router, so host-to-host is two
// links. `replisim platform` prints the same XML for users to start from.
#pragma once
#include <string>

namespace replisim {

struct StarSpec {
  int nodes = 3;
  int clients = 1;
  double latency_s = 0.005;          // one-way, per link
  double bandwidth_Bps = 125e6;      // per link
  double host_speed_flops = 1e9;     // every host
  int cores = 1;                     // every host
  double disk_read_Bps = 500e6;      // every node's disk
  double disk_write_Bps = 200e6;
  // Whether nodes get their disks when the star is built in memory for a
  // run: only --sync-writes uses them, and 10,000 of them take memory. The
  // XML form always declares them.
  bool disks = true;
};

std::string star_platform_xml(const StarSpec& spec);

}  // namespace replisim
