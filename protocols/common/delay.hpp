// Random extra delays per message, from "--delay KIND=DIST". Real networks are
// not constant, and the tail of the delay law is what makes a read stale: the
// WARS model of Bailis et al., "Probabilistically Bounded Staleness". Pure:
// every draw comes from the caller's Rng through our own conversions, never a
// std:: distribution, so runs are byte-identical across machines.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocols/common/messages.hpp"
#include "protocols/common/rng.hpp"

namespace replisim {

// A random extra delay in seconds. DIST, times in ms unless a unit is given (ns, us, ms, s):
//   const:D                    exactly D
//   uniform:LO:HI              uniform on [LO, HI]
//   exp:MEAN                   exponential with that mean
//   lognormal:MU:SIGMA         exp(MU + SIGMA·Z) ms, Z standard normal; MU and SIGMA are
//                              of ln(delay in ms), plain numbers, MU may be negative
//   pareto:XM:ALPHA            XM / U^(1/ALPHA): never below XM, P(X > x) = (XM / x)^ALPHA
//   mix:W1*DIST1+W2*DIST2+...  DISTi with probability Wi (positive, summing to 1 within
//                              1e-9); no DISTi is itself a mix
// Parameters whose largest possible sample would overflow to infinity are rejected.
// Draws per sample: const none; uniform, exp and pareto one; lognormal two (Box–Muller);
// mix one more, to pick the component.
class Delay {
public:
  // Throws std::invalid_argument("--delay: ...") with a one-line message quoting `text`.
  static Delay parse(const std::string& text);

  double sample(Rng& rng) const;  // seconds, finite and >= 0
  double mean() const;            // seconds; infinity when there is none (pareto, ALPHA <= 1)
  const std::string& text() const { return text_; }

private:
  enum class Family : std::uint8_t { constant, uniform, exponential, lognormal, pareto };
  // Parameters in seconds, except lognormal's (MU, SIGMA of ln ms) and pareto's ALPHA.
  struct Component {
    double weight;
    Family family;
    double a;  // constant value, uniform lo, exponential mean, lognormal MU, pareto XM
    double b;  // uniform hi, lognormal SIGMA, pareto ALPHA; unused otherwise
  };

  Delay(std::string text, std::vector<Component> components);
  static Component parse_component(const std::string& dist, const std::string& whole);
  static std::vector<Component> parse_mixture(const std::string& body, const std::string& whole);
  static double sample(const Component& c, Rng& rng);
  static double mean(const Component& c);
  static double largest_sample(const Component& c);

  std::string text_;
  std::vector<Component> components_;  // one, of weight 1, unless a mix
};

// MessageKind (protocols/common/messages.hpp) names the WARS legs of Bailis et al.
// (PBS) plus client↔coordinator messages.
inline constexpr std::size_t message_kind_count = 5;
static_assert(static_cast<std::size_t>(MessageKind::client) + 1 == message_kind_count,
              "DelayModel and parse_message_kind index by MessageKind");

MessageKind parse_message_kind(const std::string& text);  // "write", "ack", "read", "response", "client"
std::string to_string(MessageKind kind);

// The delays of a run: "--delay KIND=DIST", repeatable. KIND is a message kind or `all`;
// a specific kind overrides `all` whatever the order given, and a later spec for the same
// KIND replaces the earlier one.
class DelayModel {
public:
  // `flag` names the model in errors: --delay, or --service for processing costs.
  explicit DelayModel(std::string flag = "--delay") : flag_(std::move(flag)) {}
  // "ack=exp:1ms". Throws std::invalid_argument naming the flag and the bad part.
  void add(const std::string& spec);
  bool empty() const;
  // The law that applies to `kind`, or nullptr when none does.
  const Delay* delay_for(MessageKind kind) const;
  // Seconds; 0 when no delay applies to `kind`, and then nothing is drawn from `rng`.
  double sample(MessageKind kind, Rng& rng) const;

private:
  std::string flag_;
  std::optional<Delay> all_;
  std::array<std::optional<Delay>, message_kind_count> by_kind_;
};

}  // namespace replisim
