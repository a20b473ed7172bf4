// Checking many runs' arguments without running them (a sweep's or a
// bench's --dry-run): each check in a child forked from this process, a few
// at once. A fork, not a new replisim: no program to load, so a thousand
// checks take seconds; a child of its own, because a check may create a
// SimGrid engine, of which a process has one.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace replisim::sweep {

// Runs in the child: checks `args` and returns the exit status (0: valid),
// its one-line error written to stderr. It may create a SimGrid engine; the
// child leaves without destroying anything.
using ArgsCheck = std::function<int(const std::vector<std::string>& args)>;

struct CheckFailure {
  std::size_t index = 0;
  std::string error;  // the child's error line, without "replisim: error: "
};

// check(args_of(i)) for every i in [0, count), in forked children, at most
// `parallel` at once; returns the failures in index order. The calling
// process must have no other threads and no SimGrid engine (a child
// inherits them half-copied); a sweep's or bench's parent has neither.
// Throws std::runtime_error when a child cannot be started.
std::vector<CheckFailure> check_forked(std::size_t count,
                                       const std::function<std::vector<std::string>(std::size_t)>& args_of,
                                       const ArgsCheck& check, std::size_t parallel);

}  // namespace replisim::sweep
