// A spec's jobs: every point (one value per axis, plus the fixed flags) once
// per seed, in spec order, and the slice of them a shard runs. A job is
// decoded from its index alone, so a sweep (or a shard of one) builds only
// the jobs it runs, when it runs them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "experiments/sweep/spec.hpp"

namespace replisim::sweep {

// One point's flags: its axes' values in spec order, then the fixed flags.
using Point = std::vector<Param>;

struct Job {
  std::size_t index = 0;  // spec order: point by point, each point's seeds in turn
  Point params;
  std::uint64_t seed = 0;
};

// The point and the job at an index in spec order (point_index <
// point_count(spec), index < job_count(spec)). Product: the index in mixed
// radix, the last axis the fastest digit, so the first varies slowest. Zip:
// the index-th value of every axis. No axes: the one point of the fixed
// flags. A job's point is index / seeds, its seed the rest.
Point point_at(const Spec& spec, std::size_t point_index);
Job job_at(const Spec& spec, std::size_t index);

// Every point, every job, at once, in the same order: for small specs, and
// the reference job_at is tested against (an odometer, not its arithmetic).
std::vector<Point> expand_points(const Spec& spec);
std::vector<Job> expand_jobs(const Spec& spec);

// The arguments of the job's `replisim run` after the subcommand, without --out.
std::vector<std::string> run_arguments(const Job& job);

// "model=partitioned nodes=6 seed=2", for messages.
std::string describe(const Job& job);

// summary.csv's parameter columns: the point's flags with '-' written '_'.
std::vector<std::string> param_columns(const Spec& spec);

// What identifies a sweep's results: every job's flags and seed, in order,
// and the SimGrid arguments. 16 hex digits. A spec's comments, name and
// layout do not enter it. Sweep directories record it, so its value for
// given jobs never changes. The Spec form decodes one job at a time; it
// throws std::length_error for a spec parse_spec would refuse as too big.
std::string fingerprint(const std::vector<Job>& jobs, const std::vector<std::string>& engine_args);
std::string fingerprint(const Spec& spec, const std::vector<std::string>& engine_args);

// --shard K/N: the K-th of N slices (K in 1..N) holds the jobs whose index
// is K-1 modulo N, so that every slice gets its share of each axis.
struct Shard {
  std::size_t k = 1;
  std::size_t n = 1;
  bool holds(std::size_t job_index) const { return job_index % n == k - 1; }
  // The indices it holds among `total` jobs, the others never visited.
  std::vector<std::size_t> indices(std::size_t total) const;
};

// Throws std::invalid_argument naming --shard.
Shard parse_shard(const std::string& text);

}  // namespace replisim::sweep
