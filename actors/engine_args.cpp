#include "actors/engine_args.hpp"

#include <cmath>
#include <cstdlib>

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

std::string refused_engine_arg(const std::string& arg)
{
  if (!arg.starts_with("--cfg="))
    return "";
  const std::string setting = arg.substr(6);
  const auto colon = setting.find(':');
  if (colon == std::string::npos)
    return "";
  const std::string key = setting.substr(0, colon);
  const std::string value = setting.substr(colon + 1);
  if (key == "network/model" && value.starts_with("ns-3"))
    return "replisim does not run on ns-3 (its hosts are not ns-3 nodes); use CM02 (the default), LV08 or another "
           "SimGrid network model";
  if (key == "precision/timing" || key == "surf/precision" || key == "precision/work-amount" ||
      key == "maxmin/precision") {
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !std::isfinite(v) || !(v > 0) || v > 1e-3)
      return "must be a number in (0, 1e-3] (SimGrid's solver hangs at 0 or less)";
  }
  return "";
}

}  // namespace replisim
