// A flag's value as a quantity: protocols/common/quantities.hpp gives the
// reason a text is not one; these add the flag (or file and key) and quote
// the text, so every error is one line that names what to fix.
#pragma once
#include <stdexcept>
#include <string>
#include <utility>

#include "protocols/common/setting_error.hpp"

namespace replisim {

// Seconds from "250us", "5ms", "1.5s", "10min", "3h" (a bare number is milliseconds). Negative → error.
double parse_duration(const std::string& text, const std::string& flag);

// Bytes per second from "1Gbps", "100Mbps", "125MBps", "10kbps" (bits with b, bytes with B).
double parse_bandwidth(const std::string& text, const std::string& flag);

// Flop/s from "1Gf", "500Mf" (SimGrid's host speed units).
double parse_speed(const std::string& text, const std::string& flag);

// The flag a protocol's setting is given by: Setting::start_index → "--start-index".
std::string flag_of(Setting setting);

// "--rf: 4 is larger than the node count (3)": a protocol's reason, naming the flag.
std::string flag_message(const SettingError& error);

// Runs `build`; a protocol's SettingError leaves it as std::invalid_argument
// naming the flag (for callers that report std::invalid_argument as is).
template <class Build>
decltype(auto) naming_flags(Build&& build)
{
  try {
    return std::forward<Build>(build)();
  } catch (const SettingError& e) {
    throw std::invalid_argument(flag_message(e));
  }
}

}  // namespace replisim
