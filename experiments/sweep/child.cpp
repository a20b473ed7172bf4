#include "experiments/sweep/child.hpp"

#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

namespace replisim::sweep {

pid_t start_child(const std::string& executable, const std::vector<std::string>& args,
                  const std::filesystem::path& stderr_file, const sigset_t& mask)
{
  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls.
  std::vector<char*> argv;
  std::string name = "replisim";
  argv.push_back(name.data());
  std::vector<std::string> copies(args);
  for (std::string& a : copies)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string err_path = stderr_file.string();
  const std::string exec_failed = fmt::format("replisim: error: cannot execute '{}'\n", executable);
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0)
    throw std::runtime_error(fmt::format("cannot start a job: fork: {}", std::strerror(errno)));
  if (pid > 0)
    return pid;

  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent)  // the sweep died before the line above
    ::_exit(127);
  const int null_fd = ::open("/dev/null", O_WRONLY);
  const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (null_fd < 0 || err_fd < 0)
    ::_exit(127);
  ::dup2(null_fd, STDOUT_FILENO);
  ::dup2(err_fd, STDERR_FILENO);
  ::close(null_fd);
  ::close(err_fd);
  ::sigprocmask(SIG_SETMASK, &mask, nullptr);
  ::execv(executable.c_str(), argv.data());
  [[maybe_unused]] const auto ignored = ::write(STDERR_FILENO, exec_failed.data(), exec_failed.size());
  ::_exit(127);
}

std::string exit_error(int wait_status, const std::string& stderr_text)
{
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0)
    return "";
  // The child's last line, e.g. "replisim: error: --rf: 5 is more than ...".
  std::string line;
  if (const auto end = stderr_text.find_last_not_of("\r\n \t"); end != std::string::npos) {
    const auto newline = stderr_text.find_last_of('\n', end);
    const auto begin = newline == std::string::npos ? 0 : newline + 1;
    line = stderr_text.substr(begin, end + 1 - begin);
    for (const std::string prefix : {"replisim: error: ", "replisim: "})
      if (line.starts_with(prefix)) {
        line.erase(0, prefix.size());
        break;
      }
  }
  if (WIFSIGNALED(wait_status)) {
    const int sig = WTERMSIG(wait_status);
    const char* abbrev = sigabbrev_np(sig);
    const std::string crash = fmt::format("killed by signal {} (SIG{})", sig, abbrev != nullptr ? abbrev : "?");
    return line.empty() ? crash : crash + ": " + line;
  }
  return line.empty() ? fmt::format("exit status {}", WEXITSTATUS(wait_status)) : line;
}

bool interrupted(int wait_status)
{
  if (!WIFSIGNALED(wait_status))
    return false;
  const int sig = WTERMSIG(wait_status);
  return sig == SIGINT || sig == SIGTERM || sig == SIGHUP;
}

}  // namespace replisim::sweep
