#include "protocols/duration.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace replisim {

double duration_seconds(const std::string& text)
{
  double value = 0;
  const char* end = text.data() + text.size();
  auto [rest, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || !std::isfinite(value))
    throw std::invalid_argument("is not a duration (e.g. 5ms)");
  if (value < 0)
    throw std::invalid_argument("is negative");
  if (value == 0)
    value = 0;  // no -0 in samples or CSVs
  const std::string unit(rest, end);
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

}  // namespace replisim
