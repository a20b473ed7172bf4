#include "experiments/bench/bench_measure.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/wait.h>

#include "experiments/output/output_file.hpp"
#include "experiments/sweep/child.hpp"

namespace replisim {

Measured measure(const std::string& self, std::vector<std::string> args, const std::filesystem::path& dir)
{
  const auto result = dir / "result.txt";
  const auto errors = dir / "stderr.txt";
  std::filesystem::remove(result);
  // Removed by a signal's handler with the bench's directory, which they would keep.
  struct Leftovers {
    int result, errors;
    ~Leftovers()
    {
      leftovers::forget(result);
      leftovers::forget(errors);
    }
  } slots{leftovers::add(result.string(), false), leftovers::add(errors.string(), false)};
  args.insert(args.end(), {"--result", result.string()});
  sigset_t mask;
  sigprocmask(SIG_SETMASK, nullptr, &mask);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = sweep::start_child(self, args, errors, mask);
  int status = 0;
  rusage usage{};
  // The child's own maxrss, not the largest of every child so far
  // (RUSAGE_CHILDREN would give that).
  while (wait4(pid, &status, 0, &usage) < 0)
    if (errno != EINTR)
      throw std::runtime_error("bench: lost a measurement's process");
  Measured m;
  m.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::ifstream err(errors);
  const std::string err_text((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
  if (const std::string error = sweep::exit_error(status, err_text); !error.empty())
    throw std::runtime_error("bench: a measurement failed: " + error);
  m.figures = read_bench_figures(result.string());
  m.peak_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
  return m;
}

}  // namespace replisim
