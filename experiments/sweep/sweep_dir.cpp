#include "experiments/sweep/sweep_dir.hpp"

#include <fcntl.h>
#include <fstream>
#include <stdexcept>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include "experiments/output_file.hpp"

namespace replisim::sweep {

namespace fs = std::filesystem;

namespace {

constexpr const char* kIdFile = "sweep-id";

// Files a sweep leaves in DIR before its identity is recorded.
bool is_sweep_leftover(const std::string& name)
{
  return name == ".lock" || name == "spec.toml" || (name.front() == '.' && name.ends_with(".tmp"));
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
  return id;
}

SweepDir::SweepDir(const fs::path& dir, const SweepId& id, const std::string& spec_text) : dir_(dir)
{
  if (fs::is_directory(dir_) && !read_sweep_id(dir_))  // checked before writing anything there
    for (const auto& entry : fs::directory_iterator(dir_))
      if (!is_sweep_leftover(entry.path().filename().string()))
        throw std::invalid_argument(
            fmt::format("--out: '{}' is not empty and holds no sweep; use another directory", dir_.string()));
  fs::create_directories(dir_);
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
        throw std::invalid_argument(fmt::format(
            "--out: '{}' holds the results of a different sweep (other jobs or other --cfg/--log; its spec is {}); "
            "use another directory",
            dir_.string(), (dir_ / "spec.toml").string()));
    } else {
      OutputFile spec(dir_, "spec.toml");
      spec.stream() << spec_text;
      spec.commit();
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
