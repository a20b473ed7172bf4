// The SimGrid options replisim starts from, before the user's own.
#pragma once
#include <string>
#include <vector>

namespace replisim {

// CM02 so that an XML latency is the one-way delay (LV08, SimGrid's default,
// multiplies it by ~13); SimGrid's logs off unless asked for.
std::vector<std::string> default_engine_args();

// True for the options that go to SimGrid untouched: --cfg=... and --log=...
bool is_engine_arg(const std::string& arg);

}  // namespace replisim
