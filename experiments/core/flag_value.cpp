#include "experiments/core/flag_value.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "protocols/common/quantities.hpp"

namespace replisim {

namespace {

template <class Parse>
double named(Parse parse, const std::string& text, const std::string& flag)
{
  try {
    return parse(text);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("{}: '{}' {}", flag, text, e.what()));
  }
}

}  // namespace

double parse_duration(const std::string& text, const std::string& flag)
{
  return named(duration_seconds, text, flag);
}

double parse_bandwidth(const std::string& text, const std::string& flag)
{
  return named(bandwidth_bytes_per_s, text, flag);
}

double parse_speed(const std::string& text, const std::string& flag)
{
  return named(speed_flops, text, flag);
}

std::string flag_of(Setting setting)
{
  switch (setting) {
    case Setting::nodes: return "--nodes";
    case Setting::vnodes: return "--vnodes";
    case Setting::rf: return "--rf";
    case Setting::units: return "--units";
    case Setting::start_index: return "--start-index";
    case Setting::keys: return "--keys";
    case Setting::concurrency: return "--concurrency";
    case Setting::rate: return "--rate";
    case Setting::retries: return "--retries";
    case Setting::retry_backoff: return "--retry-backoff";
    case Setting::ops: return "--ops";
    case Setting::down: return "--down";
  }
  return "--?";
}

std::string flag_message(const SettingError& error)
{
  return flag_of(error.setting()) + ": " + error.what();
}

}  // namespace replisim
