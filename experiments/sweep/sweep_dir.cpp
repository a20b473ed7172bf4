#include "experiments/sweep/sweep_dir.hpp"

#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include "experiments/output/output_file.hpp"
#include "experiments/output/path_checks.hpp"
#include "experiments/sweep/spec.hpp"

namespace replisim::sweep {

namespace fs = std::filesystem;

namespace {

constexpr const char* kIdFile = "sweep-id";

// Files a sweep leaves in DIR before its identity is recorded (spec.toml is
// judged by its bytes: see check_out_dir).
bool is_sweep_leftover(const std::string& name)
{
  return name == ".lock" || (name.front() == '.' && name.ends_with(".tmp"));
}

// True when `file` holds exactly `text`.
bool holds(const fs::path& file, const std::string& text)
{
  std::ifstream in(file, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return in && contents.str() == text;
}

// Refuses, before anything is written there, a DIR that is not a directory
// or holds what no sweep of this spec wrote, so that the user's own files
// are never overwritten. A spec.toml without a sweep-id beside it is a sweep
// of this spec stopped before it recorded its identity, or the user's copy
// of this very spec (kept as it is) when it has the spec's bytes; otherwise
// it is someone else's.
void check_out_dir(const fs::path& dir, const std::string& spec_text)
{
  std::error_code error;
  const fs::file_status status = fs::status(dir, error);
  if (status.type() == fs::file_type::not_found)
    return;
  if (error)
    throw std::invalid_argument(fmt::format("--out: cannot use '{}': {}", dir.string(), error.message()));
  if (status.type() != fs::file_type::directory)
    throw std::invalid_argument(
        fmt::format("--out: '{}' is not a directory; give the directory to write the sweep into", dir.string()));
  if (read_sweep_id(dir))
    return;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == "spec.toml" && !holds(entry.path(), spec_text))
      throw std::invalid_argument(fmt::format(
          "--out: '{}' holds a spec.toml that is not this sweep's and no sweep-id (not a replisim sweep directory); "
          "use another directory",
          dir.string()));
    if (name != "spec.toml" && !is_sweep_leftover(name))
      throw std::invalid_argument(
          fmt::format("--out: '{}' is not empty and holds no sweep; use another directory", dir.string()));
  }
}

}  // namespace

std::optional<SweepId> read_sweep_id(const fs::path& dir)
{
  std::ifstream in(dir / kIdFile);
  if (!in)
    return std::nullopt;
  SweepId id;
  std::string key;
  std::string fingerprint_key;
  if (!(in >> fingerprint_key >> id.fingerprint >> key >> id.jobs) || fingerprint_key != "fingerprint" || key != "jobs")
    return std::nullopt;
  if (id.jobs == 0 || id.jobs > kMaxJobs)  // no sweep runs that many: not a count replisim wrote, or one that wrapped
    return std::nullopt;
  return id;
}

namespace {

std::string other_sweep(const fs::path& dir)
{
  return fmt::format("--out: '{}' holds the results of a different sweep (other jobs or other --cfg/--log; its spec "
                     "is {}); use another directory",
                     dir.string(), (dir / "spec.toml").string());
}

}  // namespace

void check_sweep_dir(const fs::path& dir, const SweepId& id, const std::string& spec_text)
{
  check_out_dir(dir, spec_text);
  std::error_code error;
  if (fs::status(dir, error).type() == fs::file_type::not_found) {
    if (const std::string why = cannot_create_dir(dir); !why.empty())
      throw std::invalid_argument(fmt::format("--out: cannot use '{}': {}", dir.string(), why));
    return;
  }
  if (!cannot_write_in(dir).empty())
    throw std::invalid_argument(fmt::format("--out: cannot write in '{}'", dir.string()));
  // A running sweep holds DIR/.lock; a lock file left by one that ended is free.
  const int lock = ::open((dir / ".lock").c_str(), O_RDWR | O_CLOEXEC);
  if (lock >= 0) {
    const bool busy = ::flock(lock, LOCK_EX | LOCK_NB) != 0;
    ::close(lock);
    if (busy)
      throw std::invalid_argument(fmt::format("--out: another replisim sweep is running in '{}'", dir.string()));
  }
  if (const auto existing = read_sweep_id(dir); existing && !(*existing == id))
    throw std::invalid_argument(other_sweep(dir));
}

SweepDir::SweepDir(const fs::path& dir, const SweepId& id, const std::string& spec_text) : dir_(dir)
{
  try {
    check_out_dir(dir_, spec_text);
    fs::create_directories(dir_);
  } catch (const fs::filesystem_error& e) {
    throw std::invalid_argument(fmt::format("--out: cannot use '{}': {}", dir_.string(), e.code().message()));
  }
  lock_fd_ = ::open((dir_ / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0)
    throw std::invalid_argument(fmt::format("--out: cannot write in '{}'", dir_.string()));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    throw std::invalid_argument(fmt::format("--out: another replisim sweep is running in '{}'", dir_.string()));
  }
  try {
    if (const auto existing = read_sweep_id(dir_)) {
      if (!(*existing == id))
        throw std::invalid_argument(other_sweep(dir_));
    } else {
      if (!holds(dir_ / "spec.toml", spec_text)) {  // the same bytes are left alone: they may be the user's
        OutputFile spec(dir_, "spec.toml");
        spec.stream() << spec_text;
        spec.commit();
      }
      OutputFile id_file(dir_, kIdFile);  // last: the directory is now this sweep's
      id_file.stream() << "fingerprint " << id.fingerprint << "\njobs " << id.jobs << "\n";
      id_file.commit();
    }
    fs::create_directories(rows());
  } catch (...) {
    ::close(lock_fd_);
    throw;
  }
}

SweepDir::~SweepDir()
{
  if (lock_fd_ >= 0)
    ::close(lock_fd_);
}

fs::path SweepDir::job(std::size_t index) const { return points() / fmt::format("{:06}", index); }

}  // namespace replisim::sweep
