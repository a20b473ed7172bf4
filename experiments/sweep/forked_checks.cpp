#include "experiments/sweep/forked_checks.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <map>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "experiments/sweep/child.hpp"

namespace replisim::sweep {

namespace {

struct Running {
  std::size_t index;
  std::FILE* err;  // the child's stderr: an unnamed temporary file, gone when closed
};

std::string read_all(std::FILE* file)
{
  std::string text;
  std::rewind(file);
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;)
    text.append(buffer, n);
  return text;
}

// Forks a child that runs check(args) with stdout on /dev/null and stderr
// into `err`, and leaves with its status.
pid_t start(const ArgsCheck& check, const std::vector<std::string>& args, std::FILE* err)
{
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0)
    throw std::runtime_error(fmt::format("cannot start a check: fork: {}", std::strerror(errno)));
  if (pid > 0)
    return pid;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent)
    ::_exit(127);
  const int null_fd = ::open("/dev/null", O_WRONLY);
  if (null_fd < 0)
    ::_exit(127);
  ::dup2(null_fd, STDOUT_FILENO);
  ::dup2(::fileno(err), STDERR_FILENO);
  ::close(null_fd);
  int status = 1;
  try {
    status = check(args);
  } catch (const std::exception& e) {
    std::cerr << "replisim: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "replisim: the check failed\n";
  }
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  ::_exit(status);
}

}  // namespace

std::vector<CheckFailure> check_forked(std::size_t count,
                                       const std::function<std::vector<std::string>(std::size_t)>& args_of,
                                       const ArgsCheck& check, std::size_t parallel)
{
  parallel = std::max<std::size_t>(parallel, 1);
  std::vector<CheckFailure> failures;
  std::map<pid_t, Running> running;
  std::size_t next = 0;
  const auto stop_all = [&running] {
    for (const auto& [pid, r] : running) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      std::fclose(r.err);
    }
  };
  try {
    while (next < count || !running.empty()) {
      while (running.size() < parallel && next < count) {
        std::FILE* err = std::tmpfile();
        if (err == nullptr)
          throw std::runtime_error(fmt::format("cannot start a check: no temporary file: {}", std::strerror(errno)));
        try {
          running.emplace(start(check, args_of(next), err), Running{next, err});
        } catch (...) {
          std::fclose(err);
          throw;
        }
        ++next;
      }
      int status = 0;
      const pid_t pid = ::waitpid(-1, &status, 0);
      if (pid < 0) {
        if (errno == EINTR)
          continue;
        throw std::runtime_error(fmt::format("waiting for a check: {}", std::strerror(errno)));
      }
      const auto found = running.find(pid);
      if (found == running.end())
        continue;
      const Running done = found->second;
      running.erase(found);
      const std::string error = exit_error(status, read_all(done.err));
      std::fclose(done.err);
      if (!error.empty())
        failures.push_back({done.index, error});
    }
  } catch (...) {
    stop_all();
    throw;
  }
  std::sort(failures.begin(), failures.end(),
            [](const CheckFailure& a, const CheckFailure& b) { return a.index < b.index; });
  return failures;
}

}  // namespace replisim::sweep
