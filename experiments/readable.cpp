#include "experiments/readable.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace replisim {

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
