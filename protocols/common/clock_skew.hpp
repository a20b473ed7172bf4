// How far a node's or a client's clock is from true time: a signed offset
// drawn once per clock. Clocks that stamp last-writer-wins writes (a
// multi-leader leader's, a Cassandra driver's client-side timestamps) decide
// with their skew which of two concurrent writes survives (Kleppmann, DDIA
// ch. 8, "Timestamps for ordering events"). Pure: draws come from the
// caller's Rng. The text form (--clock-skew) is the configuration layer's:
// experiments/core/delay_grammar.hpp.
#pragma once
#include <cstdint>
#include <string>

#include "protocols/common/rng.hpp"

namespace replisim {

class ClockSkew {
public:
  enum class Family : std::uint8_t { constant, uniform, normal };

  // constant: a (seconds); uniform on [a, b]; normal of mean a, deviation b.
  ClockSkew(std::string text, Family family, double a, double b);

  // Seconds ahead of true time (negative: behind). Draws: constant none,
  // uniform one, normal two (Box–Muller).
  double sample(Rng& rng) const;
  const std::string& text() const { return text_; }

private:
  std::string text_;
  Family family_;
  double a_;
  double b_;
};

}  // namespace replisim
