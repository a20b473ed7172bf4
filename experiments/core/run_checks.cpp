#include "experiments/core/run_checks.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <sys/stat.h>
#include <vector>
#include <unistd.h>

#include <fmt/format.h>

#include "actors/platform_check.hpp"

namespace replisim {

namespace fs = std::filesystem;

namespace {

// Why a file cannot be created in directory `dir`, or empty: tried, with a
// hidden file removed at once.
std::string cannot_write_in(const fs::path& dir)
{
  std::string probe = (dir / ".replisim-write-check-XXXXXX").string();
  const int fd = ::mkstemp(probe.data());
  if (fd < 0)
    return std::strerror(errno);
  ::close(fd);
  ::unlink(probe.c_str());
  return "";
}

void check_out_dir(const std::string& out)
{
  std::error_code error;
  const fs::file_status status = fs::status(out, error);
  if (status.type() == fs::file_type::directory) {
    if (const std::string why = cannot_write_in(out); !why.empty())
      throw std::invalid_argument(fmt::format("--out: cannot write in '{}': {}", out, why));
    return;
  }
  if (status.type() != fs::file_type::not_found)
    throw std::invalid_argument(
        error && status.type() == fs::file_type::none
            ? fmt::format("--out: cannot use '{}': {}", out, error.message())
            : fmt::format("--out: '{}' is not a directory; give the directory to write the run's files into", out));
  // Created as the run will create it, tried, and removed again.
  std::vector<fs::path> missing;
  for (fs::path p = fs::absolute(out); !p.empty(); p = p.parent_path()) {
    const fs::file_status s = fs::status(p, error);
    if (s.type() != fs::file_type::not_found) {
      if (s.type() != fs::file_type::directory)
        throw std::invalid_argument(fmt::format("--out: cannot create '{}': '{}' is not a directory", out, p.string()));
      break;
    }
    missing.push_back(p);
    if (p == p.parent_path())
      break;
  }
  std::string why;
  std::size_t made = 0;
  for (auto it = missing.rbegin(); it != missing.rend() && why.empty(); ++it) {
    if (::mkdir(it->c_str(), 0777) != 0)
      why = std::strerror(errno);
    else
      ++made;
  }
  if (why.empty())
    why = cannot_write_in(out);
  for (std::size_t i = missing.size() - made; i < missing.size(); ++i)
    ::rmdir(missing[i].c_str());
  if (!why.empty())
    throw std::invalid_argument(fmt::format("--out: cannot create '{}': {}", out, why));
}

void check_roles_dot(const std::string& file)
{
  if (file.empty())
    return;
  const fs::path path(file);
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (status.type() == fs::file_type::directory)
    throw std::invalid_argument(fmt::format("--roles-dot: '{}' is a directory", file));
  if (status.type() != fs::file_type::not_found && status.type() != fs::file_type::regular)
    throw std::invalid_argument(fmt::format("--roles-dot: '{}' is not a regular file", file));
  if (path.filename().empty())
    throw std::invalid_argument(fmt::format("--roles-dot: '{}' names no file", file));
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (fs::status(dir, error).type() != fs::file_type::directory)
    throw std::invalid_argument(fmt::format("--roles-dot: cannot write '{}': '{}' is not a directory", file, dir.string()));
  if (const std::string why = cannot_write_in(dir); !why.empty())
    throw std::invalid_argument(fmt::format("--roles-dot: cannot write '{}': {}", file, why));
}

}  // namespace

void check_output_paths(const RunConfig& config)
{
  if (!config.out.empty())
    check_out_dir(config.out);
  check_roles_dot(config.roles_dot);
}

void check_run_inputs(const RunConfig& config)
{
  check_output_paths(config);
  if (!config.platform.empty())
    check_platform_file(config.platform);
  std::vector<std::string> user_args = config.engine_args;
  probe_simgrid(user_args, config.platform, config.nodes_given ? config.nodes : 0, config.latency_scale);
}

}  // namespace replisim
