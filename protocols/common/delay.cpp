#include "protocols/common/delay.hpp"

#include "protocols/common/quantities.hpp"

#include <algorithm>
#include <charconv>
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
const double kMaxScale = 86'400;  // seconds: a day

[[noreturn]] void fail(const std::string& whole, const std::string& why)
{
  throw std::invalid_argument("--delay: '" + whole + "': " + why);
}

std::vector<std::string> split(const std::string& text, char separator)
{
  std::vector<std::string> parts;
  std::size_t begin = 0;
  for (std::size_t end; (end = text.find(separator, begin)) != std::string::npos; begin = end + 1)
    parts.push_back(text.substr(begin, end - begin));
  parts.push_back(text.substr(begin));
  return parts;
}

// The terms of a mixture body, split at '+' signs that are not an exponent's
// ("1e+3"): a term ends in a digit, '.' or a unit, never in 'e'.
std::vector<std::string> split_terms(const std::string& body)
{
  std::vector<std::string> terms(1);
  for (std::size_t i = 0; i < body.size(); ++i) {
    const bool exponent_sign = i > 0 && (body[i - 1] == 'e' || body[i - 1] == 'E');
    if (body[i] == '+' && !exponent_sign)
      terms.emplace_back();
    else
      terms.back() += body[i];
  }
  return terms;
}

// A leading finite number of `token`, and the rest of it.
std::pair<double, std::string> leading_number(const std::string& token, const std::string& whole, const char* what)
{
  double value = 0;
  const char* end = token.data() + token.size();
  auto [rest, ec] = std::from_chars(token.data(), end, value);
  if (ec != std::errc() || !std::isfinite(value))
    fail(whole, std::string(what) + " '" + token + "' is not a number");
  if (value == 0)
    value = 0;  // no -0 in samples or CSVs
  return {value, std::string(rest, end)};
}

// A plain number: lognormal's MU and SIGMA, pareto's ALPHA, a mixture weight.
double parse_number(const std::string& token, const std::string& whole, const char* what)
{
  auto [value, rest] = leading_number(token, whole, what);
  if (!rest.empty())
    fail(whole, std::string(what) + " '" + token + "' has trailing '" + rest + "' (a plain number, no unit)");
  return value;
}

// Seconds from a duration token, failing with the whole spec quoted.
double parse_duration(const std::string& token, const std::string& whole, const char* what)
{
  try {
    return duration_seconds(token);
  } catch (const std::invalid_argument& e) {
    fail(whole, std::string(what) + " '" + token + "' " + e.what());
  }
}

std::string shortest(double value)
{
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : "?";
}

}  // namespace

Delay::Delay(std::string text, std::vector<Component> components)
    : text_(std::move(text)), components_(std::move(components))
{
}

Delay Delay::parse(const std::string& text)
{
  const std::size_t colon = text.find(':');
  if (text.substr(0, colon) == "mix")
    return Delay(text, parse_mixture(colon == std::string::npos ? "" : text.substr(colon + 1), text));
  return Delay(text, {parse_component(text, text)});
}

Delay::Component Delay::parse_component(const std::string& dist, const std::string& whole)
{
  const std::vector<std::string> parts = split(dist, ':');
  const std::string& family = parts[0];
  const std::size_t given = parts.size() - 1;
  auto expect = [&](std::size_t count, const char* example) {
    if (given != count)
      fail(whole, family + " takes " + std::to_string(count) + (count == 1 ? " parameter" : " parameters") +
                      ", not " + std::to_string(given) + " (e.g. " + example + ")");
  };
  Component c{1.0, Family::constant, 0, 0};
  if (dist.empty()) {
    fail(whole, "no distribution (e.g. exp:1ms)");
  } else if (family == "const") {
    expect(1, "const:2ms");
    c.a = parse_duration(parts[1], whole, "the delay");
  } else if (family == "uniform") {
    expect(2, "uniform:1ms:5ms");
    c = {1.0, Family::uniform, parse_duration(parts[1], whole, "LO"), parse_duration(parts[2], whole, "HI")};
    if (c.b < c.a)
      fail(whole, "HI '" + parts[2] + "' is below LO '" + parts[1] + "'");
  } else if (family == "exp") {
    expect(1, "exp:1ms");
    c = {1.0, Family::exponential, parse_duration(parts[1], whole, "the mean"), 0};
  } else if (family == "lognormal") {
    expect(2, "lognormal:0:0.5");
    c = {1.0, Family::lognormal, parse_number(parts[1], whole, "MU"), parse_number(parts[2], whole, "SIGMA")};
    if (c.b < 0)
      fail(whole, "SIGMA '" + parts[2] + "' is negative");
  } else if (family == "pareto") {
    expect(2, "pareto:0.2ms:3");
    c = {1.0, Family::pareto, parse_duration(parts[1], whole, "XM"), parse_number(parts[2], whole, "ALPHA")};
    if (c.a <= 0)
      fail(whole, "XM '" + parts[1] + "' must be positive");
    if (c.b <= 0)
      fail(whole, "ALPHA '" + parts[2] + "' must be positive");
  } else if (family == "mix") {
    fail(whole, "a mix component cannot be a mix");
  } else {
    fail(whole, "unknown distribution '" + family + "' (use const, uniform, exp, lognormal, pareto or mix)");
  }
  // Its scale (the constant, HI, the mean, XM, the median) at most a day:
  // a message held longer would keep an asynchronous run draining for ever.
  const double scale = c.family == Family::lognormal ? std::exp(c.a) / 1e3 : c.family == Family::uniform ? c.b : c.a;
  if (!(scale <= kMaxScale))
    fail(whole, (dist == whole ? std::string("its") : "the '" + dist + "'") + " scale is more than a day");
  if (!std::isfinite(largest_sample(c)))
    fail(whole, (dist == whole ? std::string("its") : "the '" + dist + "'") +
                    " largest possible sample overflows to infinity");
  return c;
}

std::vector<Delay::Component> Delay::parse_mixture(const std::string& body, const std::string& whole)
{
  if (body.empty())
    fail(whole, "mix needs weighted components (e.g. mix:0.9*exp:1ms+0.1*const:50ms)");
  std::vector<Component> components;
  double total = 0;
  for (const std::string& term : split_terms(body)) {
    const std::size_t star = term.find('*');
    if (star == std::string::npos)
      fail(whole, "mix component '" + term + "' needs a weight (e.g. 0.9*exp:1ms)");
    const std::string weight_text = term.substr(0, star);
    const double weight = parse_number(weight_text, whole, "the weight");
    if (weight <= 0)
      fail(whole, "the weight '" + weight_text + "' must be positive");
    Component c = parse_component(term.substr(star + 1), whole);
    c.weight = weight;
    total += c.weight;
    components.push_back(c);
  }
  if (std::abs(total - 1) > 1e-9)
    fail(whole, "the mix weights sum to " + shortest(total) + ", not 1");
  return components;
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

std::optional<MessageKind> find_message_kind(const std::string& text)
{
  for (std::size_t i = 0; i < kKindNames.size(); ++i)
    if (text == kKindNames[i])
      return static_cast<MessageKind>(i);
  return std::nullopt;
}

}  // namespace

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

void DelayModel::add(const std::string& spec)
{
  const std::size_t equals = spec.find('=');
  if (equals == std::string::npos)
    throw std::invalid_argument(flag_ + ": '" + spec + "' is not KIND=DIST (e.g. ack=exp:1ms)");
  const std::string kind_text = spec.substr(0, equals);
  const std::optional<MessageKind> kind = find_message_kind(kind_text);
  if (!kind && kind_text != "all")
    throw std::invalid_argument(flag_ + ": unknown message kind '" + kind_text + "' in '" + spec +
                                "' (use write, ack, read, response, client or all)");
  Delay delay = [&] {
    try {
      return Delay::parse(spec.substr(equals + 1));
    } catch (const std::invalid_argument& e) {
      // Delay::parse names --delay, the flag its grammar was made for.
      const std::string what = e.what();
      throw std::invalid_argument(flag_ + what.substr(what.find(':')));
    }
  }();
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
