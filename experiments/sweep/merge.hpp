// `replisim merge DIR... --out FILE`: the rows of sweep directories (the
// shards of one sweep, say) into one summary.csv, the same bytes a
// one-machine run of the whole sweep writes.
#pragma once
#include <string>
#include <vector>

namespace replisim::sweep {

struct MergeOptions {
  std::vector<std::string> dirs;
  std::string out;
};

// Returns 0. Throws std::invalid_argument (one line; FILE not written) when a
// directory holds no sweep or another sweep than the first, when a row file's
// schema_version differs from the first row file's (or one has it and the
// other not: rows of two replisim versions), when a job of
// the sweep is in none of them (the error names the missing jobs), or when
// --out names a directory or cannot be written (then nothing is left behind:
// no temporary file, no directory made for it).
int run_merge(const MergeOptions& options, const std::vector<std::string>& run_flags);

}  // namespace replisim::sweep
