// The directory a sweep writes (--out DIR):
//   DIR/spec.toml           the spec, as first run
//   DIR/sweep-id            fingerprint and job count: what the rows belong to
//   DIR/rows/000012.csv     one committed row per finished job
//   DIR/points/000012/      a running job's --out (kept with --keep-ops)
//   DIR/summary.csv         rebuilt from rows/
//   DIR/.lock               held (flock) while a sweep runs in DIR
#pragma once
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

namespace replisim::sweep {

struct SweepId {
  std::string fingerprint;
  std::size_t jobs = 0;
  bool operator==(const SweepId&) const = default;
};

// DIR's identity, or nothing when DIR holds no sweep (no sweep-id, or one
// whose job count no sweep can have).
std::optional<SweepId> read_sweep_id(const std::filesystem::path& dir);

// What SweepDir's constructor refuses, found out without writing anything
// (for --dry-run): the same one-line errors. DIR must be a directory that
// can be written in, or be creatable (tried, and removed again), hold no
// other sweep and nothing else, and have no sweep running in it.
void check_sweep_dir(const std::filesystem::path& dir, const SweepId& id, const std::string& spec_text);

class SweepDir {
public:
  // Opens DIR for the sweep `id`: creates it, or reopens it when it holds the
  // same sweep; locks it. Throws std::invalid_argument (one line naming DIR,
  // nothing written) when DIR is a file, cannot be created, holds another
  // sweep, holds files no sweep wrote (a spec.toml other than `spec_text`
  // too), or is in use.
  SweepDir(const std::filesystem::path& dir, const SweepId& id, const std::string& spec_text);
  ~SweepDir();
  SweepDir(const SweepDir&) = delete;
  SweepDir& operator=(const SweepDir&) = delete;

  const std::filesystem::path& path() const { return dir_; }
  std::filesystem::path rows() const { return dir_ / "rows"; }
  std::filesystem::path points() const { return dir_ / "points"; }
  std::filesystem::path job(std::size_t index) const;
  std::filesystem::path summary() const { return dir_ / "summary.csv"; }

private:
  std::filesystem::path dir_;
  int lock_fd_ = -1;
};

}  // namespace replisim::sweep
