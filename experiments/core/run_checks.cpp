#include "experiments/core/run_checks.hpp"

#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "actors/platform_check.hpp"
#include "actors/profile_check.hpp"
#include "experiments/core/report.hpp"
#include "experiments/output/path_checks.hpp"

namespace replisim {

namespace fs = std::filesystem;

namespace {

void check_out_dir(const std::string& out)
{
  std::error_code error;
  const fs::file_status status = fs::status(out, error);
  if (status.type() == fs::file_type::directory) {
    if (const std::string why = cannot_write_in(out); !why.empty())
      throw std::invalid_argument(fmt::format("--out: cannot write in '{}': {}", out, why));
    // A run replaces its own files: something else under one of their names
    // would make it fail at the end, after the whole simulation.
    for (const char* name : kRunOutputNames) {
      const fs::path file = fs::path(out) / name;
      const fs::file_type type = fs::symlink_status(file, error).type();
      if (type != fs::file_type::not_found && type != fs::file_type::regular)
        throw std::invalid_argument(fmt::format("--out: '{}' is not a regular file, and the run writes its {} there",
                                                file.string(), name));
    }
    return;
  }
  if (status.type() != fs::file_type::not_found)
    throw std::invalid_argument(
        error && status.type() == fs::file_type::none
            ? fmt::format("--out: cannot use '{}': {}", out, error.message())
            : fmt::format("--out: '{}' is not a directory; give the directory to write the run's files into", out));
  // Created as the run will create it, tried, and removed again.
  if (const std::string why = cannot_create_dir(out); !why.empty())
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

// --roles-dot inside --out under one of the run's own names, or --out itself.
void check_roles_dot_apart(const std::string& out, const std::string& dot)
{
  if (out.empty() || dot.empty())
    return;
  const fs::path dir = fs::absolute(out).lexically_normal();
  const fs::path file = fs::absolute(dot).lexically_normal();
  const auto same = [](fs::path a, fs::path b) {
    if (!a.has_filename())
      a = a.parent_path();
    if (!b.has_filename())
      b = b.parent_path();
    return a == b;
  };
  if (same(file, dir))
    throw std::invalid_argument(fmt::format("--roles-dot: '{}' is --out, the run's directory", dot));
  for (const char* name : kRunOutputNames)
    if (same(file, dir / name))
      throw std::invalid_argument(fmt::format("--roles-dot: '{}' is the run's own {} in --out", dot, name));
}

}  // namespace

void check_output_paths(const RunConfig& config)
{
  if (!config.out.empty())
    check_out_dir(config.out);
  check_roles_dot(config.roles_dot);
  check_roles_dot_apart(config.out, config.roles_dot);
}

void check_run_inputs(RunConfig& config)
{
  check_output_paths(config);
  if (!config.platform.empty()) {
    check_platform_file(config.platform);
    config.state_profiles = check_profiles(config.platform).state;
    if (config.state_profiles && config.timeline_step.empty())
      config.timeline_step_s = 1;  // as with --faults
  }
  std::vector<std::string> user_args = config.engine_args;
  probe_simgrid(user_args, config.platform, config.nodes_given ? config.nodes : 0, config.latency_scale);
}

}  // namespace replisim
