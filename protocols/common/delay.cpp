#include "protocols/common/delay.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <utility>

namespace replisim {

namespace {

// Extremes of the conversions below, for rejecting laws that could overflow:
// 1 - rng.uniform() is at least 2^-53, so -ln(1 - u) is at most 53 ln 2 and a
// Box–Muller normal at most sqrt(2 · 53 ln 2) ≈ 8.57 in magnitude.
const double kLargestExpUnit = 53 * std::numbers::ln2;
const double kLargestNormal = std::sqrt(2 * kLargestExpUnit);

}  // namespace

Delay::Delay(std::string text, std::vector<Component> components)
    : text_(std::move(text)), components_(std::move(components))
{
}

double Delay::sample(Rng& rng) const
{
  if (components_.size() == 1)
    return sample(components_.front(), rng);
  // Component i when u falls in [w0 + ... + w(i-1), w0 + ... + wi); the last one
  // also takes what rounding leaves above the running sum.
  const double u = rng.uniform();
  double upto = 0;
  for (std::size_t i = 0; i + 1 < components_.size(); ++i) {
    upto += components_[i].weight;
    if (u < upto)
      return sample(components_[i], rng);
  }
  return sample(components_.back(), rng);
}

double Delay::sample(const Component& c, Rng& rng)
{
  switch (c.family) {
    case Family::constant: return c.a;
    case Family::uniform: return std::min(c.b, c.a + (c.b - c.a) * rng.uniform());
    case Family::exponential: return rng.exponential(c.a);
    case Family::lognormal: {
      // Box–Muller; 1 - u is in (0, 1], so the logarithm is finite.
      const double radius = std::sqrt(-2 * std::log(1 - rng.uniform()));
      const double z = radius * std::cos(2 * std::numbers::pi * rng.uniform());
      return std::exp(c.a + c.b * z) / 1e3;
    }
    case Family::pareto: return c.a / std::pow(1 - rng.uniform(), 1 / c.b);
  }
  return 0;
}

double Delay::mean() const
{
  double total = 0;
  for (const Component& c : components_)
    total += c.weight * mean(c);
  return total;
}

double Delay::mean(const Component& c)
{
  switch (c.family) {
    case Family::constant: return c.a;
    case Family::uniform: return (c.a + c.b) / 2;
    case Family::exponential: return c.a;
    case Family::lognormal: return std::exp(c.a + c.b * c.b / 2) / 1e3;
    case Family::pareto: return c.b > 1 ? c.b * c.a / (c.b - 1) : std::numeric_limits<double>::infinity();
  }
  return 0;
}

double Delay::largest_sample(const Component& c)
{
  switch (c.family) {
    case Family::constant: return c.a;
    case Family::uniform: return c.b;
    case Family::exponential: return c.a * kLargestExpUnit;
    case Family::lognormal: return std::exp(c.a + c.b * kLargestNormal) / 1e3;
    case Family::pareto: return c.a * std::pow(2.0, 53 / c.b);
  }
  return 0;
}

namespace {

constexpr std::array<const char*, message_kind_count> kKindNames = {"write", "ack", "read", "response", "client"};

}  // namespace

std::optional<MessageKind> find_message_kind(const std::string& text)
{
  for (std::size_t i = 0; i < kKindNames.size(); ++i)
    if (text == kKindNames[i])
      return static_cast<MessageKind>(i);
  return std::nullopt;
}

MessageKind parse_message_kind(const std::string& text)
{
  if (auto kind = find_message_kind(text))
    return *kind;
  throw std::invalid_argument("unknown message kind '" + text + "' (expected write, ack, read, response or client)");
}

std::string to_string(MessageKind kind)
{
  const auto i = static_cast<std::size_t>(kind);
  return i < kKindNames.size() ? kKindNames[i] : "?";
}

void DelayModel::set(std::optional<MessageKind> kind, Delay delay)
{
  if (kind)
    by_kind_[static_cast<std::size_t>(*kind)] = std::move(delay);
  else
    all_ = std::move(delay);
}

bool DelayModel::empty() const
{
  return !all_ && std::none_of(by_kind_.begin(), by_kind_.end(), [](const auto& d) { return d.has_value(); });
}

const Delay* DelayModel::delay_for(MessageKind kind) const
{
  const std::optional<Delay>& specific = by_kind_[static_cast<std::size_t>(kind)];
  if (specific)
    return &*specific;
  return all_ ? &*all_ : nullptr;
}

double DelayModel::sample(MessageKind kind, Rng& rng) const
{
  const Delay* delay = delay_for(kind);
  return delay ? delay->sample(rng) : 0;
}

}  // namespace replisim
