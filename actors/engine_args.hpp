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

// Why replisim refuses a --cfg= option that SimGrid would accept and then
// abort or hang on; empty when it passes it through. The keys checked
// (docs/running.md lists them): network/model (ns-3 needs ns-3 nodes, which
// replisim's hosts are not), precision/timing and its alias surf/precision,
// precision/work-amount and its alias maxmin/precision (each a number in
// (0, 1e-3]: 0 or less hangs SimGrid's solver).
std::string refused_engine_arg(const std::string& arg);

}  // namespace replisim
