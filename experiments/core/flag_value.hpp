// A flag's value as a quantity: protocols/common/quantities.hpp gives the
// reason a text is not one; these add the flag (or file and key) and quote
// the text, so every error is one line that names what to fix.
#pragma once
#include <string>

namespace replisim {

// Seconds from "250us", "5ms", "1.5s", "10min", "3h" (a bare number is milliseconds). Negative → error.
double parse_duration(const std::string& text, const std::string& flag);

// Bytes per second from "1Gbps", "100Mbps", "125MBps", "10kbps" (bits with b, bytes with B).
double parse_bandwidth(const std::string& text, const std::string& flag);

// Flop/s from "1Gf", "500Mf" (SimGrid's host speed units).
double parse_speed(const std::string& text, const std::string& flag);

}  // namespace replisim
