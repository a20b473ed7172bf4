#include "experiments/core/delay_grammar.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "protocols/common/quantities.hpp"

namespace replisim {

namespace {

const double kMaxScale = 86'400;  // seconds: a day

// The reason, quoting the whole law; parse_delay adds the flag.
[[noreturn]] void fail(const std::string& whole, const std::string& why)
{
  throw std::invalid_argument("'" + whole + "': " + why);
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

Delay::Component parse_component(const std::string& dist, const std::string& whole)
{
  const std::vector<std::string> parts = split(dist, ':');
  const std::string& family = parts[0];
  const std::size_t given = parts.size() - 1;
  auto expect = [&](std::size_t count, const char* example) {
    if (given != count)
      fail(whole, family + " takes " + std::to_string(count) + (count == 1 ? " parameter" : " parameters") +
                      ", not " + std::to_string(given) + " (e.g. " + example + ")");
  };
  Delay::Component c{1.0, Delay::Family::constant, 0, 0};
  if (dist.empty()) {
    fail(whole, "no distribution (e.g. exp:1ms)");
  } else if (family == "const") {
    expect(1, "const:2ms");
    c.a = parse_duration(parts[1], whole, "the delay");
  } else if (family == "uniform") {
    expect(2, "uniform:1ms:5ms");
    c = {1.0, Delay::Family::uniform, parse_duration(parts[1], whole, "LO"), parse_duration(parts[2], whole, "HI")};
    if (c.b < c.a)
      fail(whole, "HI '" + parts[2] + "' is below LO '" + parts[1] + "'");
  } else if (family == "exp") {
    expect(1, "exp:1ms");
    c = {1.0, Delay::Family::exponential, parse_duration(parts[1], whole, "the mean"), 0};
  } else if (family == "lognormal") {
    expect(2, "lognormal:0:0.5");
    c = {1.0, Delay::Family::lognormal, parse_number(parts[1], whole, "MU"), parse_number(parts[2], whole, "SIGMA")};
    if (c.b < 0)
      fail(whole, "SIGMA '" + parts[2] + "' is negative");
  } else if (family == "pareto") {
    expect(2, "pareto:0.2ms:3");
    c = {1.0, Delay::Family::pareto, parse_duration(parts[1], whole, "XM"), parse_number(parts[2], whole, "ALPHA")};
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
  const double scale = c.family == Delay::Family::lognormal ? std::exp(c.a) / 1e3 : c.family == Delay::Family::uniform ? c.b : c.a;
  if (!(scale <= kMaxScale))
    fail(whole, (dist == whole ? std::string("its") : "the '" + dist + "'") + " scale is more than a day");
  if (!std::isfinite(Delay::largest_sample(c)))
    fail(whole, (dist == whole ? std::string("its") : "the '" + dist + "'") +
                    " largest possible sample overflows to infinity");
  return c;
}

std::vector<Delay::Component> parse_mixture(const std::string& body, const std::string& whole)
{
  if (body.empty())
    fail(whole, "mix needs weighted components (e.g. mix:0.9*exp:1ms+0.1*const:50ms)");
  std::vector<Delay::Component> components;
  double total = 0;
  for (const std::string& term : split_terms(body)) {
    const std::size_t star = term.find('*');
    if (star == std::string::npos)
      fail(whole, "mix component '" + term + "' needs a weight (e.g. 0.9*exp:1ms)");
    const std::string weight_text = term.substr(0, star);
    const double weight = parse_number(weight_text, whole, "the weight");
    if (weight <= 0)
      fail(whole, "the weight '" + weight_text + "' must be positive");
    Delay::Component c = parse_component(term.substr(star + 1), whole);
    c.weight = weight;
    total += c.weight;
    components.push_back(c);
  }
  if (std::abs(total - 1) > 1e-9)
    fail(whole, "the mix weights sum to " + shortest(total) + ", not 1");
  return components;
}

Delay parse_delay_law(const std::string& text)
{
  const std::size_t colon = text.find(':');
  if (text.substr(0, colon) == "mix")
    return Delay(text, parse_mixture(colon == std::string::npos ? "" : text.substr(colon + 1), text));
  return Delay(text, {parse_component(text, text)});
}

const double kMaxSkew = 3600;  // seconds: an hour

// A signed duration: "-5ms", "2ms", "0".
double parse_signed_duration(const std::string& token, const std::string& whole, const char* what)
{
  const bool negative = !token.empty() && token[0] == '-';
  const double magnitude = parse_duration(negative ? token.substr(1) : token, whole, what);
  if (!(magnitude <= kMaxSkew))
    fail(whole, std::string(what) + " '" + token + "' is more than an hour");
  return negative && magnitude != 0 ? -magnitude : magnitude;
}

ClockSkew parse_skew_law(const std::string& text)
{
  const std::vector<std::string> parts = split(text, ':');
  const std::string& family = parts[0];
  const std::size_t given = parts.size() - 1;
  auto expect = [&](std::size_t count, const char* example) {
    if (given != count)
      fail(text, family + " takes " + std::to_string(count) + (count == 1 ? " parameter" : " parameters") +
                     ", not " + std::to_string(given) + " (e.g. " + example + ")");
  };
  if (text.empty())
    fail(text, "no distribution (e.g. uniform:-5ms:5ms)");
  if (family == "const") {
    expect(1, "const:-2ms");
    return ClockSkew(text, ClockSkew::Family::constant, parse_signed_duration(parts[1], text, "the offset"), 0);
  }
  if (family == "uniform") {
    expect(2, "uniform:-5ms:5ms");
    const double lo = parse_signed_duration(parts[1], text, "LO");
    const double hi = parse_signed_duration(parts[2], text, "HI");
    if (hi < lo)
      fail(text, "HI '" + parts[2] + "' is below LO '" + parts[1] + "'");
    return ClockSkew(text, ClockSkew::Family::uniform, lo, hi);
  }
  if (family == "normal") {
    expect(2, "normal:0:2ms");
    const double mean = parse_signed_duration(parts[1], text, "MEAN");
    if (!parts[2].empty() && parts[2][0] == '-')
      fail(text, "SD '" + parts[2] + "' is negative");
    return ClockSkew(text, ClockSkew::Family::normal, mean, parse_signed_duration(parts[2], text, "SD"));
  }
  fail(text, "unknown distribution '" + family + "' (use const, uniform or normal)");
}

}  // namespace

ClockSkew parse_clock_skew(const std::string& text, const std::string& flag)
{
  if (flag.empty())
    return parse_skew_law(text);
  try {
    return parse_skew_law(text);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(flag + ": " + e.what());
  }
}

Delay parse_delay(const std::string& text, const std::string& flag)
{
  try {
    return parse_delay_law(text);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(flag + ": " + e.what());
  }
}

void add_delay(DelayModel& model, const std::string& spec, const std::string& flag)
{
  const std::size_t equals = spec.find('=');
  if (equals == std::string::npos)
    throw std::invalid_argument(flag + ": '" + spec + "' is not KIND=DIST (e.g. ack=exp:1ms)");
  const std::string kind_text = spec.substr(0, equals);
  const std::optional<MessageKind> kind = find_message_kind(kind_text);
  if (!kind && kind_text != "all")
    throw std::invalid_argument(flag + ": unknown message kind '" + kind_text + "' in '" + spec +
                                "' (use write, ack, read, response, client or all)");
  model.set(kind, parse_delay(spec.substr(equals + 1), flag));
}

}  // namespace replisim
