#include "experiments/core/models/param.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "experiments/core/flag_value.hpp"

namespace replisim {

std::string ParamSpec::column() const
{
  std::string c = name;
  std::replace(c.begin(), c.end(), '-', '_');
  return c;
}

namespace {

[[noreturn]] void fail(const ParamSpec& spec, const std::string& why)
{
  throw std::invalid_argument(fmt::format("--{}: {}", spec.name, why));
}

std::string range_text(const ParamSpec& spec)
{
  const auto bound = [](double x) { return fmt::format("{}", x); };
  if (std::isinf(spec.max))
    return fmt::format("at least {}", bound(spec.min));
  return fmt::format("in [{}, {}]", bound(spec.min), bound(spec.max));
}

void check_range(const ParamSpec& spec, const std::string& text, double value)
{
  if (value < spec.min || value > spec.max)
    fail(spec, fmt::format("'{}' is out of range: must be {}", text, range_text(spec)));
}

double parse_number(const ParamSpec& spec, const std::string& text)
{
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || rest != end)
    fail(spec, fmt::format("'{}' is not a number", text));
  if (!std::isfinite(value))
    fail(spec, fmt::format("'{}' is not a finite number", text));
  return value;
}

}  // namespace

double check_param(const ParamSpec& spec, const std::string& text)
{
  switch (spec.type) {
  case ParamType::integer: {
    long long value = 0;
    const char* end = text.data() + text.size();
    const auto [rest, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || rest != end)
      fail(spec, fmt::format("'{}' is not a whole number", text));
    check_range(spec, text, static_cast<double>(value));
    return static_cast<double>(value);
  }
  case ParamType::number: {
    const double value = parse_number(spec, text);
    check_range(spec, text, value);
    return value;
  }
  case ParamType::duration: {
    const double value = parse_duration(text, "--" + spec.name);
    check_range(spec, text, value);
    return value;
  }
  case ParamType::choice:
    if (std::find(spec.choices.begin(), spec.choices.end(), text) == spec.choices.end())
      fail(spec, fmt::format("unknown value '{}' (expected {})", text, fmt::join(spec.choices, ", ")));
    return 0;
  case ParamType::flag:
    if (text == "1" || text == "true")
      return 1;
    if (text == "0" || text == "false" || text.empty())
      return 0;
    fail(spec, fmt::format("'{}' is not true or false", text));
  case ParamType::text:
    if (spec.validate) {
      try {
        spec.validate(text);
      } catch (const std::invalid_argument& e) {
        fail(spec, e.what());
      }
    }
    return 0;
  }
  return 0;
}

ModelParams::ModelParams(const std::vector<ParamSpec>& specs, const std::map<std::string, std::string>& given)
{
  for (const ParamSpec& spec : specs) {
    const auto it = given.find(spec.name);
    Value v;
    v.given = it != given.end();
    v.text = v.given ? it->second : spec.default_value;
    if (v.given || !v.text.empty())
      v.number = check_param(spec, v.text);
    values_[spec.name] = std::move(v);
  }
}

const ModelParams::Value& ModelParams::at(const std::string& name) const
{
  const auto it = values_.find(name);
  if (it == values_.end())
    throw std::logic_error("a model read parameter '" + name + "', which it does not declare");
  return it->second;
}

std::string ModelParams::column_text(const ParamSpec& spec) const
{
  const Value& v = at(spec.name);
  if (spec.type == ParamType::flag)
    return v.number != 0 ? "1" : "0";
  return v.text;
}

}  // namespace replisim
