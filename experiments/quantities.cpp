#include "experiments/quantities.hpp"

#include "protocols/duration.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

namespace replisim {

namespace {

// Splits "12.5ms" into 12.5 and "ms".
std::pair<double, std::string> split_number(const std::string& text, const std::string& flag, const char* example)
{
  double value = 0;
  const char* begin = text.data();
  const char* end = begin + text.size();
  auto [rest, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || !std::isfinite(value))
    throw std::invalid_argument(fmt::format("{}: '{}' is not a quantity (e.g. {})", flag, text, example));
  if (value < 0)
    throw std::invalid_argument(fmt::format("{}: '{}' is negative", flag, text));
  return {value, std::string(rest, end)};
}

double in_range(double value, double min, double max, const std::string& text, const std::string& flag,
                const char* range)
{
  if (!(value >= min && value <= max))
    throw std::invalid_argument(fmt::format("{}: '{}' is out of range: must be {}", flag, text, range));
  return value;
}

}  // namespace

double parse_duration(const std::string& text, const std::string& flag)
{
  try {
    return duration_seconds(text);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("{}: '{}' {}", flag, text, e.what()));
  }
}

double parse_bandwidth(const std::string& text, const std::string& flag)
{
  auto [value, unit] = split_number(text, flag, "1Gbps");
  if (value == 0)
    throw std::invalid_argument(fmt::format("{}: '{}' must be positive", flag, text));
  const std::pair<const char*, double> units[] = {
      {"bps", 1 / 8.0}, {"kbps", 1e3 / 8}, {"Mbps", 1e6 / 8}, {"Gbps", 1e9 / 8}, {"Tbps", 1e12 / 8},
      {"Bps", 1},       {"kBps", 1e3},     {"MBps", 1e6},     {"GBps", 1e9},     {"TBps", 1e12},
  };
  for (const auto& [name, factor] : units)
    if (unit == name)
      return in_range(value * factor, 1 / 8.0, 1e15, text, flag, "1bps to 1PBps");
  throw std::invalid_argument(fmt::format("{}: unknown bandwidth unit '{}' in '{}' (e.g. Gbps, MBps)", flag, unit, text));
}

double parse_speed(const std::string& text, const std::string& flag)
{
  auto [value, unit] = split_number(text, flag, "1Gf");
  if (value == 0)
    throw std::invalid_argument(fmt::format("{}: '{}' must be positive", flag, text));
  const std::pair<const char*, double> units[] = {{"f", 1}, {"kf", 1e3}, {"Mf", 1e6}, {"Gf", 1e9}, {"Tf", 1e12}};
  for (const auto& [name, factor] : units)
    if (unit == name)
      return in_range(value * factor, 1, 1e18, text, flag, "1f to 1000000Tf");
  throw std::invalid_argument(fmt::format("{}: unknown speed unit '{}' in '{}' (flop/s: f, kf, Mf, Gf, Tf)", flag, unit, text));
}

}  // namespace replisim
