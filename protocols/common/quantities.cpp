#include "protocols/common/quantities.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

namespace replisim {

namespace {

// Splits "12.5ms" into 12.5 and "ms"; `what` names the kind of quantity.
std::pair<double, std::string> split_number(const std::string& text, const char* what)
{
  double value = 0;
  const char* end = text.data() + text.size();
  auto [rest, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || !std::isfinite(value))
    throw std::invalid_argument(fmt::format("is not a {}", what));
  if (value < 0)
    throw std::invalid_argument("is negative");
  if (value == 0)
    value = 0;  // no -0 in samples or CSVs
  return {value, std::string(rest, end)};
}

double in_range(double value, double min, double max, const char* range)
{
  if (!(value >= min && value <= max))
    throw std::invalid_argument(fmt::format("is out of range: must be {}", range));
  return value;
}

}  // namespace

double duration_seconds(const std::string& text)
{
  const auto [value, unit] = split_number(text, "duration (e.g. 5ms)");
  if (unit.empty() || unit == "ms")
    return value / 1e3;
  if (unit == "us")
    return value / 1e6;
  if (unit == "ns")
    return value / 1e9;
  if (unit == "s")
    return value;
  if (unit == "min")
    return value * 60;
  if (unit == "h")
    return value * 3600;
  throw std::invalid_argument("has unknown time unit '" + unit + "' (use ns, us, ms, s, min or h)");
}

double bandwidth_bytes_per_s(const std::string& text)
{
  const auto [value, unit] = split_number(text, "quantity (e.g. 1Gbps)");
  if (value == 0)
    throw std::invalid_argument("must be positive");
  const std::pair<const char*, double> units[] = {
      {"bps", 1 / 8.0}, {"kbps", 1e3 / 8}, {"Mbps", 1e6 / 8}, {"Gbps", 1e9 / 8}, {"Tbps", 1e12 / 8},
      {"Bps", 1},       {"kBps", 1e3},     {"MBps", 1e6},     {"GBps", 1e9},     {"TBps", 1e12},
  };
  for (const auto& [name, factor] : units)
    if (unit == name)
      return in_range(value * factor, 1 / 8.0, 1e15, "1bps to 1000TBps");
  throw std::invalid_argument(fmt::format("has unknown bandwidth unit '{}' (e.g. Gbps, MBps)", unit));
}

double speed_flops(const std::string& text)
{
  const auto [value, unit] = split_number(text, "quantity (e.g. 1Gf)");
  if (value == 0)
    throw std::invalid_argument("must be positive");
  const std::pair<const char*, double> units[] = {{"f", 1}, {"kf", 1e3}, {"Mf", 1e6}, {"Gf", 1e9}, {"Tf", 1e12}};
  for (const auto& [name, factor] : units)
    if (unit == name)
      return in_range(value * factor, 1, 1e18, "1f to 1000000Tf");
  throw std::invalid_argument(fmt::format("has unknown speed unit '{}' (flop/s: f, kf, Mf, Gf, Tf)", unit));
}

std::string format_duration(double seconds)
{
  const long s = std::lround(std::max(0.0, seconds));
  if (s < 60)
    return fmt::format("{}s", s);
  if (s < 3600)
    return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

std::string grouped(std::uint64_t count)
{
  std::string digits = std::to_string(count);
  for (std::size_t at = digits.size(); at > 3; at -= 3)
    digits.insert(at - 3, ",");
  return digits;
}

}  // namespace replisim
