// Random extra delays per message (and processing costs, which follow the
// same laws). Real networks are not constant, and the tail of the delay law is what makes a read stale: the
// WARS model of Bailis et al., "Probabilistically Bounded Staleness". Pure:
// every draw comes from the caller's Rng through our own conversions, never a
// std:: distribution, so runs are byte-identical across machines. The text
// grammar of these laws (--delay KIND=DIST) is the configuration layer's:
// experiments/core/delay_grammar.hpp.
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

// A random extra delay in seconds: a mixture of components, each a constant,
// uniform, exponential, log-normal or Pareto law (their text form and its
// limits: experiments/core/delay_grammar.hpp). Draws per sample: const none;
// uniform, exp and pareto one; lognormal two (Box–Muller); a mixture one
// more, to pick the component.
class Delay {
public:
  enum class Family : std::uint8_t { constant, uniform, exponential, lognormal, pareto };
  // Parameters in seconds, except lognormal's (MU, SIGMA of ln ms) and pareto's ALPHA.
  struct Component {
    double weight;
    Family family;
    double a;  // constant value, uniform lo, exponential mean, lognormal MU, pareto XM
    double b;  // uniform hi, lognormal SIGMA, pareto ALPHA; unused otherwise
  };

  // `components`' weights are positive and sum to 1; `text` is how the user wrote it.
  Delay(std::string text, std::vector<Component> components);

  double sample(Rng& rng) const;  // seconds, finite and >= 0
  double mean() const;            // seconds; infinity when there is none (pareto, ALPHA <= 1)
  const std::string& text() const { return text_; }
  // The largest value `c` can draw from this Rng (infinite: a law to refuse).
  static double largest_sample(const Component& c);

private:
  static double sample(const Component& c, Rng& rng);
  static double mean(const Component& c);

  std::string text_;
  std::vector<Component> components_;  // one, of weight 1, unless a mix
};

// MessageKind (protocols/common/messages.hpp) names the WARS legs of Bailis et al.
// (PBS) plus client↔coordinator messages.
inline constexpr std::size_t message_kind_count = 5;
static_assert(static_cast<std::size_t>(MessageKind::client) + 1 == message_kind_count,
              "DelayModel and parse_message_kind index by MessageKind");

// "write", "ack", "read", "response", "client"; parse_message_kind throws the reason for any other.
std::optional<MessageKind> find_message_kind(const std::string& text);
MessageKind parse_message_kind(const std::string& text);
std::string to_string(MessageKind kind);

// The delays of a run, per message kind: a law for every kind (`all`) and
// laws for some kinds; a specific kind's law overrides `all`'s whatever the
// order they were set in, and a later law for the same kind replaces the
// earlier one.
class DelayModel {
public:
  // The law of `kind`, or of every kind without one of its own (nullopt).
  void set(std::optional<MessageKind> kind, Delay delay);
  bool empty() const;
  // The law that applies to `kind`, or nullptr when none does.
  const Delay* delay_for(MessageKind kind) const;
  // Seconds; 0 when no delay applies to `kind`, and then nothing is drawn from `rng`.
  double sample(MessageKind kind, Rng& rng) const;

private:
  std::optional<Delay> all_;
  std::array<std::optional<Delay>, message_kind_count> by_kind_;
};

}  // namespace replisim
