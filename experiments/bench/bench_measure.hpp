// One measurement of `replisim bench`: a child process of this executable
// (bench-run or bench-bare), its figures, its peak memory and how long it took.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "experiments/bench/bench_child.hpp"

namespace replisim {

struct Measured {
  BenchFigures figures;  // what the child wrote to its result file
  double peak_mb = 0;    // the child's peak resident memory (getrusage's maxrss), in MiB
  double elapsed_s = 0;  // wall seconds from its start to its end
};

// Runs `self args... --result FILE` in `dir` and waits for it. Throws
// std::runtime_error with the child's own error line when it fails.
Measured measure(const std::string& self, std::vector<std::string> args, const std::filesystem::path& dir);

}  // namespace replisim
