// Durations as users type them, shared by every parser of the command line
// and of delay laws.
#pragma once
#include <string>

namespace replisim {

// Seconds from "250us", "5ms", "1.5s", "7ns", "10min", "3h" or a bare "5"
// (milliseconds).
// Throws std::invalid_argument with the reason only ("is negative", ...): the
// caller names the flag and quotes the text.
double duration_seconds(const std::string& text);

}  // namespace replisim
