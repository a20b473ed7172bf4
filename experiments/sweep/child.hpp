// A job's `replisim run` as a child process, and what its end means.
#pragma once
#include <csignal>
#include <filesystem>
#include <string>
#include <sys/types.h>
#include <vector>

namespace replisim::sweep {

// Starts `executable args...` with stdout on /dev/null, stderr into
// `stderr_file`, the signal mask `mask`, and a death signal: the kernel
// SIGKILLs the child when the sweep process dies (even by kill -9), so no
// orphan goes on writing. Returns its pid; throws std::runtime_error.
pid_t start_child(const std::string& executable, const std::vector<std::string>& args,
                  const std::filesystem::path& stderr_file, const sigset_t& mask);

// Empty when the child exited 0; otherwise one line: its own error message
// (the last line of its stderr, without the "replisim: error: " prefix),
// else its exit status or the signal that ended it.
std::string exit_error(int wait_status, const std::string& stderr_text);

// Ended by SIGINT, SIGTERM or SIGHUP: someone stopped it, it did not fail.
bool interrupted(int wait_status);

}  // namespace replisim::sweep
