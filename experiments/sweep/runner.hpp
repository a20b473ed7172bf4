// `replisim sweep`: runs a spec's jobs, each `replisim run` in its own
// process, up to --jobs at once, committing a row per finished job.
#pragma once
#include <string>
#include <vector>

#include "experiments/sweep/forked_checks.hpp"
#include "experiments/sweep/rows.hpp"

namespace replisim::sweep {

struct SweepOptions {
  std::string spec;
  std::string out;
  int jobs = 0;                  // 0: as many as this process has cores
  bool keep_ops = false;         // keep each job's ops.csv and roles.csv under out/points/
  bool retry_failed = false;     // run again the jobs a previous run recorded as failed
  std::string shard = "1/1";
  std::string executable = "/proc/self/exe";  // the replisim that runs the jobs
  std::vector<std::string> engine_args;       // --cfg=/--log=, passed to every job
  Stamp stamp;                  // the columns every row ends with (replisim_version, schema_version)
  bool dry_run = false;         // check everything, run and write nothing
  ArgsCheck check_run;          // --dry-run: checks one job's `run` arguments (after "run") in a forked child
};

// Returns the exit status: 0 when every job is ok, 1 when some failed or were
// interrupted, 128+signal when the sweep itself was stopped. Throws
// std::invalid_argument (a one-line error; nothing written) for a bad spec
// or flag, or an --out that holds something else.
int run_sweep(const SweepOptions& options, const std::vector<std::string>& run_flags);

// --dry-run: checks what run_sweep would: --jobs, --shard, the spec, --out
// (writing nothing there), and the `run` arguments of every point of the
// jobs the shard holds (with its first seed: a seed only draws), each
// through options.check_run in a forked child. Prints one line saying what
// would run and returns 0; throws std::invalid_argument (one line, naming
// the first point that fails and how many others do) otherwise.
int check_sweep(const SweepOptions& options, const std::vector<std::string>& run_flags);

// The cores this process may run on (its CPU affinity).
int available_cores();

}  // namespace replisim::sweep
