#include "protocols/client/workload.hpp"

#include "protocols/common/setting_error.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace replisim {

KeyDistribution parse_key_distribution(const std::string& text)
{
  if (text == "uniform")
    return KeyDistribution::uniform;
  if (text == "zipfian")
    return KeyDistribution::zipfian;
  throw std::invalid_argument("unknown key distribution '" + text + "' (expected uniform or zipfian)");
}

std::string to_string(KeyDistribution dist) { return dist == KeyDistribution::uniform ? "uniform" : "zipfian"; }

Zipfian::Zipfian(std::uint64_t items, double theta) : items_(items), theta_(theta)
{
  if (items == 0)
    throw std::invalid_argument("zipfian needs at least one item");
  zeta_n_ = 0;
  for (std::uint64_t i = 1; i <= items; ++i)
    zeta_n_ += 1.0 / std::pow(static_cast<double>(i), theta);
  const double zeta2 = 1.0 + std::pow(0.5, theta);
  alpha_ = 1.0 / (1.0 - theta);
  eta_ = (1.0 - std::pow(2.0 / static_cast<double>(items), 1.0 - theta)) / (1.0 - zeta2 / zeta_n_);
  half_pow_theta_ = std::pow(0.5, theta);
}

std::uint64_t Zipfian::next(Rng& rng) const
{
  const double u = rng.uniform();
  const double uz = u * zeta_n_;
  if (uz < 1.0)
    return 0;
  if (uz < 1.0 + half_pow_theta_)
    return std::min<std::uint64_t>(1, items_ - 1);
  const auto rank = static_cast<std::uint64_t>(static_cast<double>(items_) * std::pow(eta_ * u - eta_ + 1.0, alpha_));
  return std::min(rank, items_ - 1);
}

KeyChooser::KeyChooser(KeyDistribution dist, std::uint64_t keys)
    : dist_(dist), keys_(keys), zipfian_(dist == KeyDistribution::zipfian ? keys : 1)
{
  if (keys == 0)
    throw SettingError(Setting::keys, "must be at least 1");
}

Key KeyChooser::next(Rng& rng) const
{
  return dist_ == KeyDistribution::uniform ? rng.below(keys_) : zipfian_.next(rng);
}

}  // namespace replisim
