// A model's parameters: each declared once, as a typed handle beside the
// model that reads it (after SimGrid's config::Flag<T>), with its default,
// valid range and help (ParamSpec); read, for one run, through ModelParams
// by that handle, as its type, so that a misspelt parameter does not
// compile. A model registers its handles in an explicit list, which fixes
// the order of its summary.csv columns. The command line, sweep specs and
// deployment files all give parameters as text, in the model's own words
// ("--acks all", `acks = "all"`, <prop id="acks" .../>), resolved by name
// through the registry once, when the run is configured.
#pragma once
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace replisim {

enum class ParamType : std::uint8_t {
  integer,   // a whole number in [min, max]
  number,    // a finite number in [min, max]
  text,      // anything the model checks itself
  choice,    // one of `choices`
  duration,  // "5ms", "250us", "2s" (a bare number is ms), in [min, max] seconds
  flag,      // present or not (on the command line: no value)
};

struct ParamSpec {
  std::string name;           // the flag without its dashes: "write-concern"
  ParamType type = ParamType::text;
  std::string default_value;  // as a user would type it; "" for none
  std::string help;
  std::vector<std::string> choices;  // ParamType::choice
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  std::vector<std::string> aliases;  // other long names on the command line
  // ParamType::text: throws std::invalid_argument (without the flag) when the
  // text is not valid; none: any text.
  std::function<void(const std::string&)> validate;

  // summary.csv's column: the name with '-' written '_'.
  std::string column() const;
};

// A typed handle: a parameter's declaration. `Value` is what reading it gives.
template <ParamType Type, class Value>
class ModelParam {
public:
  // `spec`'s type is the handle's: {.name = "acks", .default_value = "all", ...}.
  explicit ModelParam(ParamSpec spec) : spec_(std::move(spec)) { spec_.type = Type; }
  const ParamSpec& spec() const { return spec_; }

private:
  ParamSpec spec_;
};

using IntegerParam = ModelParam<ParamType::integer, long long>;
using NumberParam = ModelParam<ParamType::number, double>;
using TextParam = ModelParam<ParamType::text, std::string>;
using ChoiceParam = ModelParam<ParamType::choice, std::string>;
using DurationParam = ModelParam<ParamType::duration, double>;  // read as seconds
using FlagParam = ModelParam<ParamType::flag, bool>;

// One run's values of one model's parameters, checked against their specs.
class ModelParams {
public:
  ModelParams() = default;
  // `given`: name → text for the parameters the user set (any model's: the
  // others are ignored, so that one sweep spec can set every model's).
  // Throws std::invalid_argument naming the flag when a value is not valid.
  ModelParams(const std::vector<ParamSpec>& specs, const std::map<std::string, std::string>& given);

  // The value of a parameter the model declared, as its type (the default
  // when not given). Reading a parameter the model did not register is a
  // logic_error: register every handle the model reads.
  long long operator[](const IntegerParam& p) const { return std::llround(at(p.spec().name).number); }
  double operator[](const NumberParam& p) const { return at(p.spec().name).number; }
  double operator[](const DurationParam& p) const { return at(p.spec().name).number; }
  const std::string& operator[](const TextParam& p) const { return at(p.spec().name).text; }
  const std::string& operator[](const ChoiceParam& p) const { return at(p.spec().name).text; }
  bool operator[](const FlagParam& p) const { return at(p.spec().name).number != 0; }

  // Whether the user set it (else the default applies).
  template <ParamType Type, class Value>
  bool given(const ModelParam<Type, Value>& p) const
  {
    return at(p.spec().name).given;
  }

  // Any parameter of the model as summary.csv writes it: as given or its
  // default (a flag: 1 or 0).
  std::string column_text(const ParamSpec& spec) const;

private:
  struct Value {
    std::string text;
    double number = 0;  // integer, number, duration (seconds), flag (0 or 1)
    bool given = false;
  };
  const Value& at(const std::string& name) const;
  std::map<std::string, Value> values_;
};

// Checks one value against its spec; returns its number (see ModelParams).
// Throws std::invalid_argument("--NAME: ...").
double check_param(const ParamSpec& spec, const std::string& text);

}  // namespace replisim
