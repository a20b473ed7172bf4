// A model's parameters: declared once with their type, default, valid range
// and help (ParamSpec), and read, for one run, through ModelParams. The
// command line, sweep specs and deployment files all give them as text, in
// the model's own words ("--acks all", `acks = "all"`, <prop id="acks" .../>).
#pragma once
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

// One run's values of one model's parameters, checked against their specs.
class ModelParams {
public:
  ModelParams() = default;
  // `given`: name → text for the parameters the user set (any model's: the
  // others are ignored, so that one sweep spec can set every model's).
  // Throws std::invalid_argument naming the flag when a value is not valid.
  ModelParams(const std::vector<ParamSpec>& specs, const std::map<std::string, std::string>& given);

  bool given(const std::string& name) const;
  const std::string& text(const std::string& name) const;  // as given, or the default
  long long integer(const std::string& name) const;
  double number(const std::string& name) const;
  double seconds(const std::string& name) const;  // a duration
  bool flag(const std::string& name) const;

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
