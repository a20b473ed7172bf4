// The text form of delay laws and processing costs, as users type them after
// --delay and --service (and in sweep specs and the library's settings):
//   KIND=DIST, KIND one of write, ack, read, response, client or all, and
//   DIST, times in ms unless a unit is given (ns, us, ms, s):
//   const:D                    exactly D
//   uniform:LO:HI              uniform on [LO, HI]
//   exp:MEAN                   exponential with that mean
//   lognormal:MU:SIGMA         exp(MU + SIGMA·Z) ms, Z standard normal; MU and SIGMA are
//                              of ln(delay in ms), plain numbers, MU may be negative
//   pareto:XM:ALPHA            XM / U^(1/ALPHA): never below XM, P(X > x) = (XM / x)^ALPHA
//   mix:W1*DIST1+W2*DIST2+...  DISTi with probability Wi (positive, summing to 1 within
//                              1e-9); no DISTi is itself a mix
// A law whose scale is over a day, or whose largest possible sample would
// overflow to infinity, is refused. The laws themselves, and their sampling,
// are protocols/common/delay.hpp's.
//
// Clock skews (--clock-skew DIST) are signed laws of the same form, a signed
// duration where a delay law takes one (a bare number is ms):
//   const:D                    every clock D ahead (negative: behind)
//   uniform:LO:HI              uniform on [LO, HI], e.g. uniform:-5ms:5ms
//   normal:MEAN:SD             normal, e.g. normal:0:2ms
// with magnitudes (D, LO, HI, MEAN, SD) of at most an hour.
#pragma once
#include <string>

#include "protocols/common/clock_skew.hpp"
#include "protocols/common/delay.hpp"

namespace replisim {

// DIST as a law. Throws std::invalid_argument("FLAG: 'DIST': reason").
Delay parse_delay(const std::string& text, const std::string& flag = "--delay");

// Sets the law of "KIND=DIST" in `model`. Throws std::invalid_argument naming
// `flag` and the bad part.
// A clock skew law. Throws std::invalid_argument("FLAG: 'DIST': reason"),
// without "FLAG: " when `flag` is empty.
ClockSkew parse_clock_skew(const std::string& text, const std::string& flag = "--clock-skew");

void add_delay(DelayModel& model, const std::string& spec, const std::string& flag = "--delay");

}  // namespace replisim
