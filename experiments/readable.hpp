// Durations and counts as people read them, for progress lines and errors;
// shared by the run and the sweep.
#pragma once
#include <cstdint>
#include <string>

namespace replisim {

// "45s", "3m05s", "2h07m".
std::string format_duration(double seconds);

// 12000000 as "12,000,000".
std::string grouped(std::uint64_t count);

}  // namespace replisim
