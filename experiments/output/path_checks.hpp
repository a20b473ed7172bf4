// Whether an output can be written where it is asked for, found out before
// anything is written and leaving nothing behind: shared by `run`'s checks
// and the sweep's (and their --dry-run).
#pragma once
#include <filesystem>
#include <string>

namespace replisim {

// Why a file cannot be created in directory `dir`, or empty: tried, with a
// hidden file removed at once.
std::string cannot_write_in(const std::filesystem::path& dir);

// Why directory `dir`, which does not exist, cannot be created and written
// in, or empty: its missing directories are created as a run would create
// them, tried, and removed again. The reason is "'P' is not a directory" when
// an ancestor P is something else.
std::string cannot_create_dir(const std::filesystem::path& dir);

}  // namespace replisim
