#include "experiments/sweep/jobs.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

namespace replisim::sweep {

std::vector<Point> expand_points(const Spec& spec)
{
  std::size_t count = spec.axes.empty() ? 1 : spec.axes.front().values.size();
  if (spec.combine == Combine::product) {
    count = 1;
    for (const Axis& axis : spec.axes)
      count *= axis.values.size();
  }
  std::vector<Point> points;
  points.reserve(count);
  for (std::size_t p = 0; p < count; ++p) {
    Point point;
    // Product: p in mixed radix, the last axis the fastest digit.
    std::size_t rest = p;
    std::vector<std::size_t> chosen(spec.axes.size());
    for (std::size_t a = spec.axes.size(); a-- > 0;) {
      const std::size_t size = spec.axes[a].values.size();
      chosen[a] = spec.combine == Combine::zip ? p : rest % size;
      rest /= size;
    }
    for (std::size_t a = 0; a < spec.axes.size(); ++a)
      point.push_back({spec.axes[a].flag, spec.axes[a].values[chosen[a]]});
    point.insert(point.end(), spec.fixed.begin(), spec.fixed.end());
    points.push_back(std::move(point));
  }
  return points;
}

std::vector<Job> expand_jobs(const Spec& spec)
{
  std::vector<Job> jobs;
  for (const Point& point : expand_points(spec))
    for (std::uint64_t seed : spec.seeds)
      jobs.push_back({jobs.size(), point, seed});
  return jobs;
}

std::vector<std::string> run_arguments(const Job& job)
{
  std::vector<std::string> args;
  for (const Param& p : job.params)
    args.push_back(fmt::format("--{}={}", p.flag, p.value));  // '=': a value may start with '-'
  args.push_back(fmt::format("--seed={}", job.seed));
  return args;
}

std::string describe(const Job& job)
{
  std::string text;
  for (const Param& p : job.params)
    text += fmt::format("{}={} ", p.flag, p.value);
  return text + fmt::format("seed={}", job.seed);
}

std::vector<std::string> param_columns(const Spec& spec)
{
  std::vector<std::string> columns;
  const auto add = [&columns](std::string flag) {
    std::replace(flag.begin(), flag.end(), '-', '_');
    columns.push_back(std::move(flag));
  };
  for (const Axis& axis : spec.axes)
    add(axis.flag);
  for (const Param& p : spec.fixed)
    add(p.flag);
  return columns;
}

std::string fingerprint(const std::vector<Job>& jobs, const std::vector<std::string>& engine_args)
{
  // FNV-1a, 64 bits: a stable identity check, not a defence against forgery.
  std::uint64_t hash = 14695981039346656037ull;
  const auto mix = [&hash](const std::string& text) {
    for (unsigned char ch : text) {
      hash ^= ch;
      hash *= 1099511628211ull;
    }
    hash ^= 0xff;  // a separator no text byte can forge into another split
    hash *= 1099511628211ull;
  };
  mix("replisim-sweep/1");
  for (const Job& job : jobs) {
    mix(std::to_string(job.index));
    for (const std::string& arg : run_arguments(job))
      mix(arg);
  }
  mix("engine");
  for (const std::string& arg : engine_args)
    mix(arg);
  return fmt::format("{:016x}", hash);
}

Shard parse_shard(const std::string& text)
{
  const auto slash = text.find('/');
  Shard shard;
  const auto number = [&text](std::string_view digits, std::size_t& out) {
    const auto result = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return !digits.empty() && result.ec == std::errc() && result.ptr == digits.data() + digits.size();
  };
  const std::string_view view(text);
  if (slash == std::string::npos || !number(view.substr(0, slash), shard.k) || !number(view.substr(slash + 1), shard.n) ||
      shard.n == 0 || shard.k == 0 || shard.k > shard.n)
    throw std::invalid_argument(fmt::format("--shard: '{}' is not K/N with 1 <= K <= N (e.g. 2/4)", text));
  return shard;
}

}  // namespace replisim::sweep
