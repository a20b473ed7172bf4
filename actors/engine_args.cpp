#include "actors/engine_args.hpp"

namespace replisim {

std::vector<std::string> default_engine_args()
{
  std::vector<std::string> args = {
      "--cfg=network/model:CM02",
      "--log=root.thres:critical",
      "--log=xbt_cfg.thres:critical",
  };
#ifdef REPLISIM_SANITIZED
  // Raw contexts switch stacks behind AddressSanitizer's back; threads do not.
  args.emplace_back("--cfg=contexts/factory:thread");
#endif
  return args;
}

bool is_engine_arg(const std::string& arg) { return arg.starts_with("--cfg=") || arg.starts_with("--log="); }

}  // namespace replisim
