#include "experiments/run_config.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "experiments/quantities.hpp"
#include "experiments/models/registry.hpp"

namespace replisim {

namespace {
template <typename F>
auto flag_error(const char* flag, F&& parse)
{
  try {
    return parse();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("{}: {}", flag, e.what()));
  }
}
// --delay and --service take one KIND=DIST per flag, or several separated by
// spaces in one value: how a sweep spec, whose [fixed] values are single
// strings, gives several.
std::vector<std::string> split_laws(const std::vector<std::string>& values)
{
  std::vector<std::string> laws;
  for (const std::string& value : values) {
    std::istringstream words(value);
    for (std::string law; words >> law;)
      laws.push_back(law);
  }
  return laws;
}
}  // namespace

void RunConfig::parse_rf()
{
  if (rf_text.empty())
    return;
  rf_per_zone.clear();
  if (rf_text.find(':') == std::string::npos) {
    try {
      std::size_t used = 0;
      rf = std::stoi(rf_text, &used);
      if (used != rf_text.size())
        throw std::invalid_argument("");
    } catch (const std::exception&) {
      throw std::invalid_argument(fmt::format("--rf: '{}' is neither a number nor zone:rf,...", rf_text));
    }
    return;
  }
  rf = 0;
  std::stringstream in(rf_text);
  for (std::string part; std::getline(in, part, ',');) {
    const auto colon = part.find(':');
    int zone_rf = -1;
    try {
      zone_rf = std::stoi(part.substr(colon + 1));
    } catch (const std::exception&) {
    }
    if (colon == std::string::npos || colon == 0 || zone_rf < 0)
      throw std::invalid_argument(fmt::format("--rf: '{}' in '{}' is not zone:rf", part, rf_text));
    rf_per_zone.emplace_back(part.substr(0, colon), zone_rf);
    rf += zone_rf;
  }
}

void RunConfig::check()
{
  params = ModelParams(models().get(model).params, model_args);
  if (nodes < 1)
    throw std::invalid_argument("--nodes: must be at least 1");
  if (clients < 1)
    throw std::invalid_argument("--clients: must be at least 1");
  parse_rf();
  if (rf < 1 && rf_per_zone.empty())
    throw std::invalid_argument("--rf: must be at least 1");
  if (ops < 1)
    throw std::invalid_argument("--ops: must be at least 1");
  if (read_ratio < 0 || read_ratio > 1)
    throw std::invalid_argument("--read-ratio: must be between 0 and 1");
  if (keys < 1)
    throw std::invalid_argument("--keys: must be at least 1");
  if (concurrency < 1)
    throw std::invalid_argument("--concurrency: must be at least 1");
  if (rate < 0)
    throw std::invalid_argument("--rate: must not be negative");
  if (!(latency_scale > 0))
    throw std::invalid_argument("--latency-scale: must be positive");
  delay_model = DelayModel{};
  for (const auto& d : split_laws(delays))
    delay_model.add(d);
  service_model = DelayModel{"--service"};
  for (const auto& s : split_laws(services))
    service_model.add(s);
  if (threads < 1 || threads > 4096)
    throw std::invalid_argument("--threads: must be in [1, 4096]");
  if (cores < 1 || cores > 4096)
    throw std::invalid_argument("--cores: must be in [1, 4096]");
  host_speed_flops = parse_speed(host_speed, "--host-speed");
  disk_read_Bps = parse_bandwidth(disk_read_bw, "--disk-read-bw");
  disk_write_Bps = parse_bandwidth(disk_write_bw, "--disk-write-bw");
  latency_s = parse_duration(latency, "--latency");
  bandwidth_Bps = parse_bandwidth(bandwidth, "--bandwidth");
  timeout_s = parse_duration(timeout, "--timeout");
  if (timeout_s <= 0)
    throw std::invalid_argument("--timeout: must be positive");
  key_distribution = flag_error("--key-dist", [&] { return parse_key_distribution(key_dist); });
}

}  // namespace replisim
