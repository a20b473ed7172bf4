#include "experiments/sweep/merge.hpp"

#include <iostream>

#include <fmt/format.h>

#include "experiments/output_file.hpp"
#include "experiments/sweep/jobs.hpp"
#include "experiments/sweep/rows.hpp"
#include "experiments/sweep/spec.hpp"
#include "experiments/sweep/sweep_dir.hpp"

namespace replisim::sweep {

namespace fs = std::filesystem;

namespace {

// "3 (model=partitioned nodes=6 seed=2)", or "3" when the spec copy does not
// parse (a replisim whose run flags changed since).
std::string name_job(std::size_t index, const fs::path& dir, const std::vector<std::string>& run_flags)
{
  try {
    const Spec spec = read_spec_file((dir / "spec.toml").string(), run_flags);
    if (index < *job_count(spec))
      return fmt::format("{} ({})", index, describe(job_at(spec, index)));
  } catch (const std::exception&) {
  }
  return std::to_string(index);
}

}  // namespace

int run_merge(const MergeOptions& options, const std::vector<std::string>& run_flags)
{
  std::optional<SweepId> sweep;
  Rows rows;
  for (const std::string& dir : options.dirs) {
    const auto id = read_sweep_id(dir);
    if (!id)
      throw std::invalid_argument(fmt::format("merge: '{}' holds no sweep (no sweep-id file)", dir));
    if (sweep && !(*id == *sweep))
      throw std::invalid_argument(
          fmt::format("merge: '{}' comes from another sweep than '{}' (fingerprint {}, not {})", dir,
                      options.dirs.front(), id->fingerprint, sweep->fingerprint));
    sweep = id;
    for (auto& [index, row] : load_rows(fs::path(dir) / "rows", false))
      if (index < id->jobs)
        rows.emplace(index, std::move(row));  // the first directory that has a job wins
  }
  constexpr std::size_t kNamed = 5;  // the error names the first few: it stays one readable line
  std::size_t missing = 0;
  std::string named;
  for (std::size_t i = 0; i < sweep->jobs; ++i)
    if (rows.count(i) == 0 && ++missing <= kNamed)
      named += (missing > 1 ? ", " : "") + name_job(i, options.dirs.front(), run_flags);
  if (missing > 0) {
    if (missing > kNamed)
      named += fmt::format(" and {} more", missing - kNamed);
    throw std::invalid_argument(fmt::format("merge: {} of the sweep's {} jobs are in none of the directories: job {}",
                                            missing, sweep->jobs, named));
  }

  const fs::path out(options.out);
  const fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
  fs::create_directories(parent);
  OutputFile file(parent, out.filename().string());
  file.stream() << summary_text(rows);
  file.commit();
  std::size_t failed = 0;
  for (const auto& [index, row] : rows)
    failed += row.status() == "ok" ? 0 : 1;
  std::cerr << fmt::format("replisim merge: {} jobs ({} failed) from {} directories; wrote {}\n", rows.size(), failed,
                           options.dirs.size(), out.string());
  return 0;
}

}  // namespace replisim::sweep
