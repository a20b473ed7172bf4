#include "actors/star.hpp"

#include <fmt/format.h>
#include <simgrid/s4u.hpp>
#include <xbt/config.hpp>

namespace replisim {

namespace sg4 = simgrid::s4u;

PlatformHosts build_star(sg4::Engine&, const StarSpec& spec)
{
  auto* zone = sg4::create_star_zone("cluster");
  // A host's messages to itself take SimGrid's loopback, as the XML form's
  // Dijkstra routing gives them, not the host's link.
  sg4::Link* loopback = zone->create_link("loopback", simgrid::config::get_value<double>("network/loopback-bw"))
                            ->set_sharing_policy(sg4::Link::SharingPolicy::FATPIPE)
                            ->set_latency(simgrid::config::get_value<double>("network/loopback-lat"))
                            ->seal();
  PlatformHosts hosts;
  const auto add = [&](const std::string& name, const char* role) {
    sg4::Host* host = zone->create_host(name, spec.host_speed_flops);
    host->set_core_count(spec.cores);
    host->set_property("role", role);
    // One link per host, both directions sharing it, as the XML form's.
    sg4::Link* link = zone->create_link(name + "-link", spec.bandwidth_Bps)->set_latency(spec.latency_s)->seal();
    zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(link)}, true);
    zone->add_route(host->get_netpoint(), host->get_netpoint(), nullptr, nullptr, {sg4::LinkInRoute(loopback)}, false);
    return host;
  };
  for (int i = 0; i < spec.nodes; ++i) {
    sg4::Host* host = add(fmt::format("node{}", i), "node");
    if (spec.disks)
      host->create_disk(fmt::format("node{}-disk", i), spec.disk_read_Bps, spec.disk_write_Bps);
    hosts.nodes.push_back(host);
  }
  for (int i = 0; i < spec.clients; ++i)
    hosts.clients.push_back(add(fmt::format("client{}", i), "client"));
  zone->seal();
  return hosts;
}

}  // namespace replisim
