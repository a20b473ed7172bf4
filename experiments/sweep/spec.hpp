// A sweep spec (TOML): which `replisim run` flags stay fixed, which vary
// (axes), how axes combine into points, and the seeds each point runs with.
//
//   [sweep]                 # optional table
//   name = "latency-vs-nodes"
//   combine = "product"     # or "zip"; default product
//   seeds = [1, 2, 3]       # default [1]
//   [fixed]                 # any run flag without its dashes: a value
//   ops = 5000
//   [axes]                  # any run flag: a non-empty array of values
//   nodes = [3, 6, 12]
//
// Values reach the run as text, as the spec wrote them (`5ms`, `3`, `0.5`).
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace replisim::sweep {

// The most jobs one sweep may run. It protects the rows directory, memory
// and run time: every job leaves a row file in DIR/rows/ (a file system
// block each) and a row in the sweep's memory (summary.csv is rebuilt from
// all of them), and costs a process start and its run. A million is already
// gigabytes of rows and more than a day of runs at 0.1 s each on one core; a
// bigger spec is a typo far more often than a plan, so it is refused before
// anything is expanded or written.
constexpr std::uint64_t kMaxJobs = 1'000'000;

// A one-line error naming the spec file, its line and the key:
// "spec.toml:7: axes.nodez: not a replisim run flag"; for what no line of
// it holds (its size, the file itself), the file alone.
class SpecError : public std::invalid_argument {
public:
  SpecError(const std::string& path, std::int64_t line, const std::string& message);
  SpecError(const std::string& path, const std::string& message);
};

struct Param {
  std::string flag;   // a run flag without its dashes, e.g. write-concern
  std::string value;  // as the spec wrote it
  bool operator==(const Param&) const = default;
};

struct Axis {
  std::string flag;
  std::vector<std::string> values;
};

enum class Combine { product, zip };

struct Spec {
  std::string name;
  Combine combine = Combine::product;
  std::vector<std::uint64_t> seeds{1};
  std::vector<Param> fixed;  // in the order the spec lists them
  std::vector<Axis> axes;    // likewise; in a product the first varies slowest
};

// A spec's size from its axis lengths alone, nothing expanded: a product has
// the product of its axis lengths as points, a zip the common length (the
// first axis's), no axes one point; every point runs once per seed. Empty
// when the count does not fit in 64 bits.
std::optional<std::uint64_t> point_count(const Spec& spec);
std::optional<std::uint64_t> job_count(const Spec& spec);

// Parses and checks a spec. `run_flags` are the long names of `replisim run`'s
// options (without dashes); every key of [fixed] and [axes] must be one of
// them, except out, seed and roles-dot, which the sweep sets per job. A spec
// of more than kMaxJobs jobs is refused. Throws SpecError.
Spec parse_spec(const std::string& text, const std::string& path, const std::vector<std::string>& run_flags);

// Reads the file, then parse_spec. Throws SpecError (also when the file is
// missing, unreadable or a directory).
Spec read_spec_file(const std::string& path, const std::vector<std::string>& run_flags, std::string* text = nullptr);

}  // namespace replisim::sweep
