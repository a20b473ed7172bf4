#include "actors/profile_check.hpp"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <cctype>
#include <vector>
#include <sstream>

#include <fmt/format.h>

#include "actors/engine_setup.hpp"

namespace replisim {

namespace fs = std::filesystem;

namespace {

constexpr double kMaxLatency = 86'400;  // a day, as --latency
constexpr double kTimePrecision = 1e-9;

// A number in the whole of `word`, or NaN.
double number(const std::string& word)
{
  char* end = nullptr;
  const double v = std::strtod(word.c_str(), &end);
  return word.empty() || *end != '\0' ? std::nan("") : v;
}

void check_profile(const std::string& platform, const std::string& attribute, const std::string& name)
{
  const auto fail = [&](const std::string& where, const std::string& why) {
    throw PlatformError(fmt::format("platform file '{}': {} '{}'{}: {}", platform, attribute, name, where, why));
  };
  if (fs::path(name).is_absolute())
    fail("", "an absolute path, which SimGrid 3.32 cannot open: give it relative to the platform file's directory");
  const fs::path dir = fs::path(platform).parent_path();
  fs::path file = dir / name;
  std::error_code error;
  if (!fs::exists(file, error))
    file = name;  // SimGrid also looks in the current directory
  if (!fs::is_regular_file(file, error))
    fail("", fs::exists(file, error) ? "is not a regular file" : "no such file (looked in the platform file's directory)");
  std::ifstream in(file);
  if (!in)
    fail("", "cannot read it");
  const std::string kind = attribute.substr(0, attribute.find('_'));
  double last = 0;
  bool loops = false;
  double loop_delay = 0;
  int line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    const std::string where = fmt::format(":{}", line_number);
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;)
      w.push_back(word);
    if (w.empty() || w[0][0] == '%' || w[0][0] == '#')
      continue;
    if (w[0] == "LOOPAFTER" || w[0] == "PERIODICITY") {
      const double d = w.size() == 2 ? number(w[1]) : std::nan("");
      if (!std::isfinite(d) || d < 0)
        fail(where, fmt::format("'{}' is not {} and a time in seconds, not negative", line, w[0]));
      loops = true;
      loop_delay = d;
      continue;
    }
    const double t = w.size() == 2 ? number(w[0]) : std::nan("");
    const double v = w.size() == 2 ? number(w[1]) : std::nan("");
    if (!std::isfinite(t) || !std::isfinite(v))
      fail(where, fmt::format("'{}' is not TIME VALUE (two finite numbers), LOOPAFTER or PERIODICITY", line));
    if (t < 0)
      fail(where, fmt::format("time {} is negative", w[0]));
    if (t < last)
      fail(where, fmt::format("time {} comes before the line above's {}", w[0], last));
    last = t;
    if ((kind == "speed" || kind == "bandwidth") && !(v > 0))
      fail(where, fmt::format("{} {} must be positive", kind, w[1]));
    if (kind == "latency" && (v < 0 || v > kMaxLatency || (v > 0 && v < kTimePrecision)))
      fail(where, fmt::format("latency {} s must be 0 or in [1e-9, 86400] (1 ns, SimGrid's precision, to a day)", w[1]));
  }
  if (loops && last + loop_delay < kMinProfilePeriod)
    fail("", fmt::format("repeats every {} s: the shortest period replisim takes is 1ms", last + loop_delay));
}

}  // namespace

PlatformProfiles check_profiles(const std::string& platform)
{
  std::ifstream in(platform, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string xml = text.str();
  PlatformProfiles profiles;
  for (const std::string attribute : {"speed_file", "state_file", "bandwidth_file", "latency_file"}) {
    for (std::size_t at = xml.find(attribute); at != std::string::npos; at = xml.find(attribute, at + 1)) {
      if (at > 0 && !std::isspace(static_cast<unsigned char>(xml[at - 1])))
        continue;
      std::size_t p = at + attribute.size();
      while (p < xml.size() && std::isspace(static_cast<unsigned char>(xml[p])))
        ++p;
      if (p >= xml.size() || xml[p] != '=')
        continue;
      ++p;
      while (p < xml.size() && std::isspace(static_cast<unsigned char>(xml[p])))
        ++p;
      if (p >= xml.size() || (xml[p] != '"' && xml[p] != '\''))
        continue;
      const std::size_t end = xml.find(xml[p], p + 1);
      if (end == std::string::npos)
        continue;
      const std::string name = xml.substr(p + 1, end - p - 1);
      if (name.empty())
        continue;
      check_profile(platform, attribute, name);
      profiles.state = profiles.state || attribute == "state_file";
    }
  }
  return profiles;
}

}  // namespace replisim
