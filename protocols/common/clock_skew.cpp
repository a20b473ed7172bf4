#include "protocols/common/clock_skew.hpp"

#include <cmath>
#include <numbers>
#include <utility>

namespace replisim {

ClockSkew::ClockSkew(std::string text, Family family, double a, double b)
    : text_(std::move(text)), family_(family), a_(a), b_(b)
{
}

double ClockSkew::sample(Rng& rng) const
{
  switch (family_) {
    case Family::constant: return a_;
    case Family::uniform: return a_ + (b_ - a_) * rng.uniform();
    case Family::normal: {
      // Box–Muller, as the delay laws' lognormal; 1 - u is in (0, 1].
      const double radius = std::sqrt(-2 * std::log(1 - rng.uniform()));
      return a_ + b_ * radius * std::cos(2 * std::numbers::pi * rng.uniform());
    }
  }
  return 0;
}

}  // namespace replisim
