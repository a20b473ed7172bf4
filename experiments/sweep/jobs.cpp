#include "experiments/sweep/jobs.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

namespace replisim::sweep {

Point point_at(const Spec& spec, std::size_t point_index)
{
  const auto points = point_count(spec);
  if (points && point_index >= *points)  // a product would wrap round to another point
    throw std::out_of_range(fmt::format("point {} of a spec of {} points", point_index, *points));
  Point point(spec.axes.size());
  std::size_t rest = point_index;
  for (std::size_t a = spec.axes.size(); a-- > 0;) {
    const Axis& axis = spec.axes[a];
    point[a] = {axis.flag, axis.values.at(spec.combine == Combine::zip ? point_index : rest % axis.values.size())};
    rest /= axis.values.size();
  }
  point.insert(point.end(), spec.fixed.begin(), spec.fixed.end());
  return point;
}

Job job_at(const Spec& spec, std::size_t index)
{
  if (spec.seeds.empty())
    throw std::out_of_range("a spec without seeds has no jobs");
  const std::size_t seeds = spec.seeds.size();
  return {index, point_at(spec, index / seeds), spec.seeds[index % seeds]};
}

std::vector<Point> expand_points(const Spec& spec)
{
  const auto with_values = [&spec](const std::vector<std::size_t>& chosen) {
    Point point;
    for (std::size_t a = 0; a < spec.axes.size(); ++a)
      point.push_back({spec.axes[a].flag, spec.axes[a].values[chosen[a]]});
    point.insert(point.end(), spec.fixed.begin(), spec.fixed.end());
    return point;
  };
  std::vector<Point> points;
  if (spec.combine == Combine::zip && !spec.axes.empty()) {
    for (std::size_t i = 0; i < spec.axes.front().values.size(); ++i)
      points.push_back(with_values(std::vector<std::size_t>(spec.axes.size(), i)));
    return points;
  }
  for (const Axis& axis : spec.axes)
    if (axis.values.empty())
      return points;
  // An odometer: the last axis is the fastest wheel, and a wheel that comes
  // round to 0 carries into the one before it.
  std::vector<std::size_t> wheels(spec.axes.size(), 0);
  for (;;) {
    points.push_back(with_values(wheels));
    std::size_t a = wheels.size();
    while (a > 0 && ++wheels[a - 1] == spec.axes[a - 1].values.size())
      wheels[--a] = 0;
    if (a == 0)
      return points;
  }
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

namespace {

// FNV-1a, 64 bits: a stable identity check, not a defence against forgery.
class Fingerprint {
public:
  Fingerprint() { mix("replisim-sweep/1"); }

  void mix(const std::string& text)
  {
    for (unsigned char ch : text) {
      hash_ ^= ch;
      hash_ *= kPrime;
    }
    hash_ ^= 0xff;  // a separator no text byte can forge into another split
    hash_ *= kPrime;
  }

  void mix(const Job& job)
  {
    mix(std::to_string(job.index));
    for (const std::string& arg : run_arguments(job))
      mix(arg);
  }

  std::string finish(const std::vector<std::string>& engine_args)
  {
    mix("engine");
    for (const std::string& arg : engine_args)
      mix(arg);
    return fmt::format("{:016x}", hash_);
  }

private:
  static constexpr std::uint64_t kPrime = 1099511628211ull;
  std::uint64_t hash_ = 14695981039346656037ull;
};

}  // namespace

std::string fingerprint(const std::vector<Job>& jobs, const std::vector<std::string>& engine_args)
{
  Fingerprint hash;
  for (const Job& job : jobs)
    hash.mix(job);
  return hash.finish(engine_args);
}

std::string fingerprint(const Spec& spec, const std::vector<std::string>& engine_args)
{
  const auto jobs = job_count(spec);
  if (!jobs || *jobs > kMaxJobs)
    throw std::length_error("a sweep spec of more jobs than a sweep may run has no fingerprint");
  Fingerprint hash;
  for (std::size_t index = 0; index < *jobs; ++index)
    hash.mix(job_at(spec, index));
  return hash.finish(engine_args);
}

std::vector<std::size_t> Shard::indices(std::size_t total) const
{
  std::vector<std::size_t> held;
  for (std::size_t index = k - 1; index < total; index += n) {
    held.push_back(index);
    if (total - index <= n)  // the next one is past the end, or past SIZE_MAX
      break;
  }
  return held;
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
