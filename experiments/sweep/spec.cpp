#include "experiments/sweep/spec.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "protocols/common/quantities.hpp"

namespace replisim::sweep {

namespace {

// Keys of a run that the sweep itself sets for every job.
struct Reserved {
  const char* flag;
  const char* why;
};
constexpr Reserved kReserved[] = {
    {"seed", "the sweep sets it: list seeds in [sweep] seeds"},
    {"out", "the sweep sets it: each job writes under the sweep's --out"},
    {"roles-dot", "not available in a sweep (every job would write the same file)"},
    {"help", "not a run parameter"},
    {"dry-run", "not a run parameter (give the sweep --dry-run to check a spec without running it)"},
};

// Control characters (a newline in a file name, a byte of a binary file that
// toml++ quotes) would break the one-line error: shown as \xNN.
std::string one_line(const std::string& text)
{
  std::string line;
  for (const char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte < 0x20 || byte == 0x7f)
      line += fmt::format("\\x{:02x}", byte);
    else
      line += ch;
  }
  return line;
}


std::string plural(std::uint64_t count, const std::string& one, const std::string& many)
{
  return grouped(count) + " " + (count == 1 ? one : many);
}

// How a spec's job count comes about, for the error that refuses it:
// "3 axes of 200 × 300 × 100 values × 2 seeds".
std::string size_text(const Spec& spec)
{
  const std::string seeds = plural(spec.seeds.size(), "seed", "seeds");
  if (spec.axes.empty())
    return "1 point × " + seeds;
  if (spec.combine == Combine::zip)
    return fmt::format("{} of {} × {}", plural(spec.axes.size(), "zipped axis", "zipped axes"),
                       plural(spec.axes.front().values.size(), "value", "values"), seeds);
  std::string lengths;
  for (const Axis& axis : spec.axes)
    lengths += (lengths.empty() ? "" : " × ") + grouped(axis.values.size());
  return fmt::format("{} of {} values × {}", plural(spec.axes.size(), "axis", "axes"), lengths, seeds);
}

// Refuses a spec too big to run before anyone expands it: over kMaxJobs, or
// so big that the count itself overflows (it would wrap, to 0 jobs even).
void check_job_count(const Spec& spec, const std::string& path)
{
  const auto jobs = job_count(spec);
  if (!jobs)
    throw SpecError(path, fmt::format("more jobs than a 64-bit count holds ({}); a sweep may run at most {}",
                                      size_text(spec), grouped(kMaxJobs)));
  if (*jobs > kMaxJobs)
    throw SpecError(path, fmt::format("{} jobs ({}) is more than the {} a sweep may run", grouped(*jobs),
                                      size_text(spec), grouped(kMaxJobs)));
}

std::optional<std::uint64_t> times(std::uint64_t a, std::uint64_t b)
{
  std::uint64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product))
    return std::nullopt;
  return product;
}

using Entry = std::pair<const toml::key*, const toml::node*>;

// A table's entries in the order the file lists them (toml++ sorts by name).
std::vector<Entry> in_file_order(const toml::table& table)
{
  std::vector<Entry> entries;
  for (auto&& [key, node] : table)
    entries.emplace_back(&key, &node);
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    const auto& pa = a.first->source().begin;
    const auto& pb = b.first->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  return entries;
}

class Parser {
public:
  Parser(const std::string& text, const std::string& path, const std::vector<std::string>& run_flags)
      : path_(path), run_flags_(run_flags.begin(), run_flags.end())
  {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
      lines_.push_back(line);
  }

  Spec parse(const std::string& text)
  {
    toml::table root;
    try {
      root = toml::parse(std::string_view(text), std::string_view(path_));
    } catch (const toml::parse_error& e) {
      throw SpecError(path_, e.source().begin.line, std::string(e.description()));
    }
    Spec spec;
    for (const auto& [key, node] : in_file_order(root)) {
      const std::string name(key->str());
      const toml::table* table = node->as_table();
      if (name != "sweep" && name != "fixed" && name != "axes")
        fail(*key, fmt::format("{}: unknown table (a spec has [sweep], [fixed] and [axes])", name));
      if (table == nullptr)
        fail(*key, fmt::format("{}: must be a table, [{}]", name, name));
      if (name == "sweep")
        parse_sweep(*table, spec);
      else if (name == "fixed")
        parse_fixed(*table, spec);
      else
        parse_axes(*table, spec);
    }
    check_fixed_and_axes_apart(root, spec);
    if (spec.combine == Combine::zip)
      check_zip_lengths(root, spec);
    check_job_count(spec, path_);
    return spec;
  }

private:
  [[noreturn]] void fail(const toml::key& key, const std::string& message) const
  {
    throw SpecError(path_, key.source().begin.line, message);
  }
  [[noreturn]] void fail(const toml::node& node, const std::string& message) const
  {
    throw SpecError(path_, node.source().begin.line, message);
  }

  void parse_sweep(const toml::table& table, Spec& spec)
  {
    for (const auto& [key, node] : in_file_order(table)) {
      const std::string name(key->str());
      const std::string where = "sweep." + name;
      if (name == "name") {
        if (!node->is_string())
          fail(*node, where + ": must be a string");
        spec.name = node->value<std::string>().value();
      } else if (name == "combine") {
        const auto value = node->value<std::string>();
        if (value == "product")
          spec.combine = Combine::product;
        else if (value == "zip")
          spec.combine = Combine::zip;
        else
          fail(*node, fmt::format("{}: must be \"product\" or \"zip\", not {}", where, source_text(*node)));
      } else if (name == "seeds") {
        spec.seeds = parse_seeds(*node, where);
      } else {
        fail(*key, where + ": unknown key (the [sweep] table has name, combine and seeds)");
      }
    }
  }

  std::vector<std::uint64_t> parse_seeds(const toml::node& node, const std::string& where) const
  {
    const toml::array* array = node.as_array();
    if (array == nullptr)
      fail(node, where + ": must be an array of seeds, e.g. [1, 2, 3]");
    if (array->empty())
      fail(node, where + ": empty: list at least one seed");
    std::vector<std::uint64_t> seeds;
    for (const toml::node& element : *array) {
      const auto seed = element.value_exact<std::int64_t>();
      if (!seed || *seed < 0)
        fail(element, fmt::format("{}: {} is not a seed (a non-negative integer)", where, source_text(element)));
      if (std::find(seeds.begin(), seeds.end(), static_cast<std::uint64_t>(*seed)) != seeds.end())
        fail(element, fmt::format("{}: seed {} is listed twice", where, *seed));
      seeds.push_back(static_cast<std::uint64_t>(*seed));
    }
    return seeds;
  }

  void parse_fixed(const toml::table& table, Spec& spec)
  {
    for (const auto& [key, node] : in_file_order(table)) {
      const std::string where = check_flag(*key, "fixed");
      if (node->is_array() || node->is_table())
        fail(*node, where + ": a fixed value is one string, number or boolean (put lists under [axes])");
      spec.fixed.push_back({std::string(key->str()), scalar_text(*node, where)});
    }
  }

  void parse_axes(const toml::table& table, Spec& spec)
  {
    for (const auto& [key, node] : in_file_order(table)) {
      const std::string where = check_flag(*key, "axes");
      const toml::array* array = node->as_array();
      if (array == nullptr)
        fail(*node, fmt::format("{}: an axis is an array of values, e.g. {} = [{}]", where, key->str(), source_text(*node)));
      if (array->empty())
        fail(*node, where + ": empty axis: list at least one value");
      Axis axis{std::string(key->str()), {}};
      for (const toml::node& element : *array) {
        if (element.is_array() || element.is_table())
          fail(element, where + ": an axis value is a string, number or boolean");
        axis.values.push_back(scalar_text(element, where));
      }
      spec.axes.push_back(std::move(axis));
    }
  }

  // "fixed.KEY" once KEY is known to be a run flag the sweep may set.
  std::string check_flag(const toml::key& key, const std::string& table) const
  {
    const std::string flag(key.str());
    const std::string where = table + "." + flag;
    for (const Reserved& r : kReserved)
      if (flag == r.flag)
        fail(key, fmt::format("{}: {}", where, r.why));
    if (run_flags_.count(flag) == 0) {
      std::string dashed = flag;
      std::replace(dashed.begin(), dashed.end(), '_', '-');
      if (run_flags_.count(dashed) > 0)
        fail(key, fmt::format("{}: not a replisim run flag; did you mean {}?", where, dashed));
      fail(key, fmt::format("{}: not a replisim run flag (see replisim run --help)", where));
    }
    return where;
  }

  void check_fixed_and_axes_apart(const toml::table& root, const Spec& spec) const
  {
    for (const Axis& axis : spec.axes)
      for (const Param& p : spec.fixed)
        if (p.flag == axis.flag)
          fail(axis_key(root, axis.flag), fmt::format("axes.{}: also set in [fixed]; give it in one of the two", axis.flag));
  }

  void check_zip_lengths(const toml::table& root, const Spec& spec) const
  {
    for (const Axis& axis : spec.axes)
      if (axis.values.size() != spec.axes.front().values.size())
        fail(axis_key(root, axis.flag),
             fmt::format("axes.{}: zip axes must have equal lengths: {} has {} values, {} has {}", axis.flag,
                         spec.axes.front().flag, spec.axes.front().values.size(), axis.flag, axis.values.size()));
  }

  const toml::key& axis_key(const toml::table& root, const std::string& flag) const
  {
    const toml::table& axes = *root["axes"].as_table();
    return axes.find(flag)->first;
  }

  // A value as text for the run's command line: strings as they are,
  // integers in decimal, floats as the spec spelled them, booleans as words.
  std::string scalar_text(const toml::node& node, const std::string& where) const
  {
    if (const auto s = node.value_exact<std::string>())
      return *s;
    if (const auto i = node.value_exact<std::int64_t>())
      return std::to_string(*i);
    if (const auto b = node.value_exact<bool>())
      return *b ? "true" : "false";
    if (const auto d = node.value_exact<double>()) {
      std::string spelled = source_text(node);
      spelled.erase(std::remove(spelled.begin(), spelled.end(), '_'), spelled.end());
      char* end = nullptr;
      if (!spelled.empty() && (std::strtod(spelled.c_str(), &end), *end == '\0'))
        return spelled;
      char buffer[64];
      const auto result = std::to_chars(buffer, buffer + sizeof buffer, *d);
      return std::string(buffer, result.ptr);
    }
    fail(node, where + ": " + source_text(node) + " is not a string, number or boolean");
  }

  // The characters of a one-line node in the file, or "" when it spans lines.
  std::string source_text(const toml::node& node) const
  {
    const toml::source_region& r = node.source();
    if (r.begin.line != r.end.line || r.begin.line == 0 || r.begin.line > lines_.size())
      return "";
    const std::string& line = lines_[r.begin.line - 1];
    const std::size_t begin = r.begin.column - 1;
    if (begin >= line.size() || r.end.column <= r.begin.column)
      return "";
    return line.substr(begin, r.end.column - r.begin.column);
  }

  std::string path_;
  std::set<std::string> run_flags_;
  std::vector<std::string> lines_;
};

}  // namespace

SpecError::SpecError(const std::string& path, std::int64_t line, const std::string& message)
    : std::invalid_argument(one_line(fmt::format("{}:{}: {}", path, line, message)))
{
}

SpecError::SpecError(const std::string& path, const std::string& message)
    : std::invalid_argument(one_line(fmt::format("{}: {}", path, message)))
{
}

std::optional<std::uint64_t> point_count(const Spec& spec)
{
  if (spec.axes.empty())
    return 1;
  if (spec.combine == Combine::zip)
    return spec.axes.front().values.size();
  std::optional<std::uint64_t> points = 1;
  for (const Axis& axis : spec.axes)
    if (!(points = times(*points, axis.values.size())))
      return std::nullopt;
  return points;
}

std::optional<std::uint64_t> job_count(const Spec& spec)
{
  const auto points = point_count(spec);
  return points ? times(*points, spec.seeds.size()) : std::nullopt;
}

Spec parse_spec(const std::string& text, const std::string& path, const std::vector<std::string>& run_flags)
{
  return Parser(text, path, run_flags).parse(text);
}

Spec read_spec_file(const std::string& path, const std::vector<std::string>& run_flags, std::string* text)
{
  // An ifstream opens a directory and reads it as empty: a spec of defaults.
  std::error_code status_error;
  const auto status = std::filesystem::status(path, status_error);
  if (status.type() == std::filesystem::file_type::not_found)
    throw SpecError(path, "no such file (the sweep spec, a TOML file)");
  if (status.type() == std::filesystem::file_type::directory)
    throw SpecError(path, "is a directory, not a sweep spec (a TOML file)");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw SpecError(path, "cannot read the sweep spec");
  std::stringstream contents;
  contents << in.rdbuf();
  if (text != nullptr)
    *text = contents.str();
  return parse_spec(contents.str(), path, run_flags);
}

}  // namespace replisim::sweep
