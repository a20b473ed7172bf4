// SimGrid deployment files as replisim reads them: which hosts run the
// datastore's nodes and clients, with per-actor settings.
//
//   <platform version="4.1">
//     <actor host="n0" function="replisim-node">
//       <prop id="zone" value="us-east"/>      (its datacenter, instead of its enclosing zone)
//       <prop id="threads" value="4"/>         (its worker threads)
//       <prop id="model" value="chain"/>       (any `replisim run` flag, the same on every node)
//     </actor>
//     <actor host="c0" function="replisim-client"><prop id="zone" value="us-east"/></actor>
//   </platform>
//
// An <argument value="NAME=VALUE"/> says the same as a <prop>. Nodes are
// numbered in file order. replisim checks the file before SimGrid reads it:
// SimGrid aborts on an unknown host or function.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace simgrid::s4u {
class Engine;
}

namespace replisim {

inline constexpr const char* kNodeFunction = "replisim-node";
inline constexpr const char* kClientFunction = "replisim-client";

struct DeployedActor {
  std::string host;
  std::string zone;  // empty: the host's enclosing zone
  int threads = 0;   // nodes; 0: not set
  std::string describe;  // "actor 3 (replisim-node on 'n2')", for errors
};

struct DeploymentFile {
  std::string path;
  std::vector<DeployedActor> nodes;    // in file order
  std::vector<DeployedActor> clients;  // in file order
  // `replisim run` flags the nodes set (name without dashes → value), and
  // which actor set each first.
  std::map<std::string, std::string> settings;
  std::map<std::string, std::string> set_by;
};

// Reads and checks the XML. Throws PlatformError (engine_setup.hpp) naming
// the file, and the actor when one is at fault: malformed XML, a version
// before 4, an actor without a host or function, a function that is not
// replisim's, a repeated node host, threads not in [1, 4096], a setting two
// nodes give different values, no node.
DeploymentFile read_deployment_file(const std::string& path);

// Checks that every actor's host exists on the engine's platform.
void check_hosts(const DeploymentFile& file, const simgrid::s4u::Engine& engine);

}  // namespace replisim
