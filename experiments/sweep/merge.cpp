#include "experiments/sweep/merge.hpp"

#include <algorithm>
#include <iostream>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "experiments/output/output_file.hpp"
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

// Refuses an --out that can never be the merged file, before any directory
// is read: nothing would be written anyway, so say so first.
void check_out(const fs::path& out)
{
  const std::string name = out.filename().string();
  std::error_code unknown;  // a path that cannot even be looked at fails when written, with its reason
  if (name.empty() || name == "." || name == ".." || fs::is_directory(out, unknown))
    throw std::invalid_argument(
        fmt::format("--out: '{}' names a directory; give the path of the summary file to write", out.string()));
}

// `dir`'s missing ancestors from the top: what creating it would add, and
// what a failed merge takes back.
std::vector<fs::path> missing_directories(const fs::path& dir)
{
  std::vector<fs::path> missing;
  std::error_code ignored;
  for (fs::path at = dir; !at.empty() && fs::status(at, ignored).type() == fs::file_type::not_found;
       at = at.parent_path()) {
    missing.insert(missing.begin(), at);
    if (at == at.parent_path())
      break;
  }
  return missing;
}

// Writes `text` as `out` whole or not at all. When it cannot, removes the
// directories it created for it and throws one line naming --out.
void write_merged(const fs::path& out, const std::string& text)
{
  const fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
  const std::vector<fs::path> created = missing_directories(parent);
  std::string reason;
  try {
    fs::create_directories(parent);
    OutputFile file(parent, out.filename().string());
    file.stream() << text;
    file.commit();
    return;
  } catch (const std::system_error& e) {
    reason = e.code().message();
  } catch (const std::runtime_error&) {
    reason = "cannot create a file there";
  }
  for (auto dir = created.rbegin(); dir != created.rend(); ++dir)
    ::rmdir(dir->c_str());  // only an empty directory: never what someone else put there
  throw std::invalid_argument(fmt::format("--out: cannot write '{}': {}", out.string(), reason));
}

// The schema_version of the first row file read, and that file: every other
// row file must have the same (or, with the first, none).
class SchemaCheck {
public:
  void check(const Row& row, const fs::path& file)
  {
    const std::optional<std::string> version = row_value(row, kSchemaColumn);
    if (!first_) {
      first_ = file;
      version_ = version;
      const auto error = std::find(row.columns.begin(), row.columns.end(), "error");
      head_.assign(row.columns.begin(), error == row.columns.end() ? row.columns.end() : error + 1);
      return;
    }
    // The columns a row starts with (its sweep's axes and fixed flags, seed,
    // status, error) are the same in every row of a sweep.
    const auto head = [](const Row& r) {
      const auto error = std::find(r.columns.begin(), r.columns.end(), "error");
      return std::vector<std::string>(r.columns.begin(), error == r.columns.end() ? r.columns.end() : error + 1);
    };
    if (head(row) != head_)
      throw std::invalid_argument(fmt::format("merge: '{}' has columns '{}', but '{}' has '{}': not rows of one sweep",
                                              file.string(), fmt::join(head(row), ","), first_->string(),
                                              fmt::join(head_, ",")));
    if (version == version_)
      return;
    const auto said = [](const std::optional<std::string>& v) {
      return v ? fmt::format("{} {}", kSchemaColumn, *v) : fmt::format("no {}", kSchemaColumn);
    };
    throw std::invalid_argument(fmt::format(
        "merge: '{}' has {}, but '{}' has {}: rows of different summary schemas (different replisim versions) do "
        "not merge; run the sweeps with one replisim",
        file.string(), said(version), first_->string(), said(version_)));
  }

private:
  std::optional<fs::path> first_;
  std::optional<std::string> version_;
  std::vector<std::string> head_;
};

// A row file load_rows skipped is corrupt: named, rather than its job
// reported missing.
void require_whole_rows(const fs::path& rows_dir, const Rows& loaded)
{
  std::error_code error;
  if (!fs::is_directory(rows_dir, error))
    return;
  for (const auto& entry : fs::directory_iterator(rows_dir)) {
    const std::string name = entry.path().filename().string();
    const long index = row_index(name);
    if (index >= 0 && loaded.count(static_cast<std::size_t>(index)) == 0)
      throw std::invalid_argument(fmt::format("merge: '{}' is not a whole row (a header and one line of as many "
                                              "values): a corrupt row file",
                                              entry.path().string()));
  }
}

}  // namespace

int run_merge(const MergeOptions& options, const std::vector<std::string>& run_flags)
{
  const fs::path out(options.out);
  check_out(out);
  std::optional<SweepId> sweep;
  Rows rows;
  SchemaCheck schema;
  for (const std::string& dir : options.dirs) {
    const auto id = read_sweep_id(dir);
    if (!id)
      throw std::invalid_argument(fmt::format("merge: '{}' holds no sweep (no sweep-id file)", dir));
    if (sweep && !(*id == *sweep))
      throw std::invalid_argument(
          fmt::format("merge: '{}' comes from another sweep than '{}' (fingerprint {}, not {})", dir,
                      options.dirs.front(), id->fingerprint, sweep->fingerprint));
    sweep = id;
    Rows loaded = load_rows(fs::path(dir) / "rows", false);
    require_whole_rows(fs::path(dir) / "rows", loaded);
    for (auto& [index, row] : loaded)
      if (index < id->jobs) {
        schema.check(row, fs::path(dir) / "rows" / row_file_name(index));
        rows.emplace(index, std::move(row));  // the first directory that has a job wins
      }
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

  write_merged(out, summary_text(rows));
  std::size_t failed = 0;
  for (const auto& [index, row] : rows)
    failed += row.status() == "ok" ? 0 : 1;
  std::cerr << fmt::format("replisim merge: {} jobs ({} failed) from {} directories; wrote {}\n", rows.size(), failed,
                           options.dirs.size(), out.string());
  return 0;
}

}  // namespace replisim::sweep
