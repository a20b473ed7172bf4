#include "experiments/core/run_config.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "experiments/core/delay_grammar.hpp"
#include "experiments/core/flag_value.hpp"
#include "experiments/core/models/registry.hpp"

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
template <typename T>
void check_range(const char* flag, T value, T min, T max)
{
  if (value < min || value > max)
    throw std::invalid_argument(fmt::format("{}: {} is out of range: must be in [{}, {}]", flag, value, min, max));
}
void check_finite_range(const char* flag, double value, double min, double max)
{
  if (!std::isfinite(value) || value < min || value > max)
    throw std::invalid_argument(fmt::format("{}: '{}' is out of range: must be in [{}, {}]", flag, value, min, max));
}
// --delay and --service take one KIND=DIST per flag, or several separated by
// spaces in one value: how a sweep spec, whose [fixed] values are single
// strings, gives several.
// A kind given twice is refused rather than the last silently winning.
std::vector<std::string> split_laws(const std::vector<std::string>& values, const char* flag)
{
  std::vector<std::string> laws;
  std::vector<std::string> kinds;
  for (const std::string& value : values) {
    std::istringstream words(value);
    for (std::string law; words >> law;) {
      const std::string kind = law.substr(0, law.find('='));
      if (std::find(kinds.begin(), kinds.end(), kind) != kinds.end())
        throw std::invalid_argument(fmt::format("{}: kind '{}' is given twice (in '{}')", flag, kind, law));
      kinds.push_back(kind);
      laws.push_back(law);
    }
  }
  return laws;
}
// SimGrid's clock is exact to precision/timing (1 ns by default): a latency
// above 0 and below it is refused, as SimGrid would turn it into nothing or
// into events it cannot order.
constexpr double kTimePrecision = 1e-9;
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
    if (zone_rf > limits::kMaxNodes - rf)
      throw std::invalid_argument(
          fmt::format("--rf: '{}' asks for more than {} replicas (the most nodes a run can have)", rf_text, limits::kMaxNodes));
    const std::string zone = part.substr(0, colon);
    if (std::any_of(rf_per_zone.begin(), rf_per_zone.end(), [&](const auto& z) { return z.first == zone; }))
      throw std::invalid_argument(fmt::format("--rf: zone '{}' is given twice in '{}'", zone, rf_text));
    rf_per_zone.emplace_back(zone, zone_rf);
    rf += zone_rf;
  }
}

void RunConfig::check()
{
  using namespace limits;
  params = ModelParams(models().get(model).params, model_args);
  check_range("--nodes", nodes, 1, kMaxNodes);
  check_range("--clients", clients, 1, kMaxClients);
  parse_rf();
  if (rf < 1 && rf_per_zone.empty())
    throw std::invalid_argument("--rf: must be at least 1");
  if (rf > kMaxNodes)
    throw std::invalid_argument(fmt::format("--rf: {} is more than {} (the most nodes a run can have)", rf, kMaxNodes));
  check_range("--ops", ops, std::uint64_t{1}, kMaxOps);
  check_finite_range("--read-ratio", read_ratio, 0, 1);
  key_distribution = flag_error("--key-dist", [&] { return parse_key_distribution(key_dist); });
  check_range("--keys", keys, std::uint64_t{1}, kMaxKeys);
  if (key_distribution == KeyDistribution::zipfian && keys > kMaxZipfianKeys)
    throw std::invalid_argument(fmt::format("--keys: {} is more than {} with --key-dist zipfian (its precomputation "
                                            "visits every key)",
                                            keys, kMaxZipfianKeys));
  check_range("--concurrency", concurrency, 1, kMaxConcurrency);
  if (!std::isfinite(rate) || (rate != 0 && (rate < kMinRate || rate > kMaxRate)))
    throw std::invalid_argument(
        fmt::format("--rate: '{}' is out of range: must be 0 (closed loop) or in [{}, {}]", rate, kMinRate, kMaxRate));
  if (!std::isfinite(latency_scale) || !(latency_scale > 0) || latency_scale > kMaxLatencyScale)
    throw std::invalid_argument(
        fmt::format("--latency-scale: '{}' is out of range: must be in (0, {}]", latency_scale, kMaxLatencyScale));
  check_range("--value-bytes", value_bytes, std::uint64_t{0}, kMaxValueBytes);
  delay_model = DelayModel{};
  for (const auto& d : split_laws(delays, "--delay"))
    add_delay(delay_model, d, "--delay");
  service_model = DelayModel{};
  for (const auto& s : split_laws(services, "--service"))
    add_delay(service_model, s, "--service");
  check_range("--threads", threads, 1, kMaxThreads);
  if (static_cast<std::int64_t>(threads) * nodes > kMaxWorkerSlots)
    throw std::invalid_argument(fmt::format("--threads: {} threads on each of {} nodes is more than {} workers in all "
                                            "(each is held in memory)",
                                            threads, nodes, kMaxWorkerSlots));
  const auto& declared = models().get(model).params;
  const bool has_units =
      std::any_of(declared.begin(), declared.end(), [](const ParamSpec& p) { return p.name == "units"; });
  if (const auto units = model_args.find("units"); has_units && units != model_args.end()) {
    const long long count = std::atoll(units->second.c_str());
    if (count > 0 && count * rf > kMaxReplicas)
      throw std::invalid_argument(fmt::format("--units: {} units of rf {} is more than {} replicas in all (each "
                                              "holds a log and its state)",
                                              count, rf, kMaxReplicas));
  }
  check_range("--cores", cores, 1, kMaxCores);
  host_speed_flops = parse_speed(host_speed, "--host-speed");
  disk_read_Bps = parse_bandwidth(disk_read_bw, "--disk-read-bw");
  disk_write_Bps = parse_bandwidth(disk_write_bw, "--disk-write-bw");
  latency_s = parse_duration(latency, "--latency");
  if (latency_s > kMaxLatency)
    throw std::invalid_argument(fmt::format("--latency: '{}' is more than a day", latency));
  if (latency_s * latency_scale > kMaxLatency)
    throw std::invalid_argument(
        fmt::format("--latency-scale: {} makes --latency {} more than a day", latency_scale, latency));
  if (latency_s > 0 && latency_s < kTimePrecision)
    throw std::invalid_argument(fmt::format(
        "--latency: '{}' is below 1ns, SimGrid's time precision: give 0 or at least 1ns", latency));
  if (latency_s > 0 && latency_s * latency_scale < kTimePrecision)
    throw std::invalid_argument(fmt::format(
        "--latency-scale: {} makes --latency {} less than 1ns, SimGrid's time precision", latency_scale, latency));
  bandwidth_Bps = parse_bandwidth(bandwidth, "--bandwidth");
  timeout_s = parse_duration(timeout, "--timeout");
  if (!(timeout_s > 0) || timeout_s > kMaxTimeout)
    throw std::invalid_argument(
        fmt::format("--timeout: '{}' is out of range: must be positive and at most {} s", timeout, kMaxTimeout));
  if (retries)
    check_range("--retries", *retries, 0, kMaxRetries);
  retry_backoff_s = parse_duration(retry_backoff, "--retry-backoff");
  if (retry_backoff_s > kMaxTimeout)
    throw std::invalid_argument(
        fmt::format("--retry-backoff: '{}' is out of range: at most {} s", retry_backoff, kMaxTimeout));
  retry_backoff_max_s = parse_duration(retry_backoff_max, "--retry-backoff-max");
  if (retry_backoff_max_s > kMaxTimeout)
    throw std::invalid_argument(
        fmt::format("--retry-backoff-max: '{}' is out of range: at most {} s", retry_backoff_max, kMaxTimeout));
  timeline_step_s = timeline_step.empty() ? (faults.empty() ? 0 : 1) : parse_duration(timeline_step, "--timeline-step");
  // A sample per node per step: keep the file to a few million rows.
  if (!timeline_step.empty() && !(timeline_step_s >= 1e-3))
    throw std::invalid_argument(fmt::format("--timeline-step: '{}' is out of range: must be at least 1ms", timeline_step));
}

}  // namespace replisim
