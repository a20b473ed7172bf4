// Quantities as people type and read them: durations, bandwidths, speeds,
// counts. The one place replisim parses and prints them, at the lowest layer
// that needs them (delay laws parse durations), so every layer above uses it.
//
// Parsers throw std::invalid_argument with the reason only ("is negative",
// ...): the configuration layer names the flag, file or line and quotes the
// text (experiments/core/flag_value.hpp).
#pragma once
#include <cstdint>
#include <string>

namespace replisim {

// Seconds from "250us", "5ms", "1.5s", "7ns", "10min", "3h" or a bare "5"
// (milliseconds).
double duration_seconds(const std::string& text);

// Bytes per second from "1Gbps", "100Mbps", "125MBps", "10kbps" (bits with b,
// bytes with B), in [1bps, 1000TBps].
double bandwidth_bytes_per_s(const std::string& text);

// Flop/s from "1Gf", "500Mf" (SimGrid's host speed units).
double speed_flops(const std::string& text);

// "45s", "3m05s", "2h07m", for progress lines.
std::string format_duration(double seconds);

// 12000000 as "12,000,000".
std::string grouped(std::uint64_t count);

}  // namespace replisim
