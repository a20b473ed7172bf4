#include "protocols/leaderless/consistency.hpp"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <numeric>
#include <stdexcept>
#include <utility>

namespace replisim {
namespace {

constexpr Consistency kLevels[] = {Consistency::one,          Consistency::two,         Consistency::three,
                                   Consistency::quorum,       Consistency::local_quorum, Consistency::each_quorum,
                                   Consistency::all};

int quorum_of(int replicas) { return replicas / 2 + 1; }

}  // namespace

Consistency parse_consistency(const std::string& text)
{
  std::string upper = text;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (Consistency level : kLevels)
    if (upper == to_string(level))
      return level;
  throw std::invalid_argument("unknown consistency level '" + text +
                              "' (expected ONE, TWO, THREE, QUORUM, LOCAL_QUORUM, EACH_QUORUM or ALL)");
}

std::string to_string(Consistency level)
{
  switch (level) {
    case Consistency::one: return "ONE";
    case Consistency::two: return "TWO";
    case Consistency::three: return "THREE";
    case Consistency::quorum: return "QUORUM";
    case Consistency::local_quorum: return "LOCAL_QUORUM";
    case Consistency::each_quorum: return "EACH_QUORUM";
    case Consistency::all: return "ALL";
  }
  return "?";
}

QuorumRule::QuorumRule(Consistency level, std::vector<int> replicas_per_zone, int local_zone)
    : level_(level), replicas_per_zone_(std::move(replicas_per_zone))
{
  const int zones = static_cast<int>(replicas_per_zone_.size());
  if (zones == 0)
    throw std::invalid_argument("consistency: a unit needs replicas in at least one zone");
  if (std::any_of(replicas_per_zone_.begin(), replicas_per_zone_.end(), [](int r) { return r < 0; }))
    throw std::invalid_argument("consistency: a zone has a negative replica count");
  const int total = std::accumulate(replicas_per_zone_.begin(), replicas_per_zone_.end(), 0);
  if (total == 0)
    throw std::invalid_argument("consistency: a unit needs at least one replica");
  if (local_zone < 0 || local_zone >= zones)
    throw std::invalid_argument("consistency: local zone " + std::to_string(local_zone) + " is outside [0, " +
                                std::to_string(zones) + ")");

  needed_in_zone_.assign(static_cast<std::size_t>(zones), 0);
  switch (level_) {
    case Consistency::one: anywhere_ = 1; break;
    case Consistency::two: anywhere_ = 2; break;
    case Consistency::three: anywhere_ = 3; break;
    case Consistency::quorum: anywhere_ = quorum_of(total); break;
    case Consistency::all: anywhere_ = total; break;
    case Consistency::local_quorum:
      // Even with no local replica: Cassandra's quorumFor(0) is 1, which no
      // replica of this zone can give.
      needed_in_zone_[static_cast<std::size_t>(local_zone)] =
          quorum_of(replicas_per_zone_[static_cast<std::size_t>(local_zone)]);
      break;
    case Consistency::each_quorum:
      for (std::size_t z = 0; z < needed_in_zone_.size(); ++z)
        if (replicas_per_zone_[z] > 0)
          needed_in_zone_[z] = quorum_of(replicas_per_zone_[z]);
      break;
  }
}

int QuorumRule::block_for() const
{
  return anywhere_ + std::accumulate(needed_in_zone_.begin(), needed_in_zone_.end(), 0);
}

bool QuorumRule::satisfied(const std::vector<int>& acks_per_zone) const { return enough(acks_per_zone); }

bool QuorumRule::counts(int zone) const
{
  return anywhere_ > 0 || needed_in_zone_.at(static_cast<std::size_t>(zone)) > 0;
}

bool QuorumRule::helps(const std::vector<int>& chosen_per_zone, int zone) const
{
  if (anywhere_ > 0)
    return std::accumulate(chosen_per_zone.begin(), chosen_per_zone.end(), 0) < anywhere_;
  const auto z = static_cast<std::size_t>(zone);
  return chosen_per_zone.at(z) < needed_in_zone_.at(z);
}

// Each live replica can give one ack, so "enough live" is the same test as
// "enough acks" (Cassandra's assureSufficientLiveReplicas). Live counts may
// not exceed the replica counts, which keeps a level that needs more replicas
// than the unit has (THREE with 2) never achievable.
bool QuorumRule::achievable(const std::vector<int>& live_per_zone) const
{
  for (std::size_t z = 0; z < replicas_per_zone_.size() && z < live_per_zone.size(); ++z)
    if (live_per_zone[z] > replicas_per_zone_[z])
      throw std::invalid_argument("consistency: more live replicas than replicas in zone " + std::to_string(z));
  return enough(live_per_zone);
}

bool QuorumRule::can_miss(const QuorumRule& other) const
{
  int spare = 0;
  for (std::size_t z = 0; z < replicas_per_zone_.size(); ++z) {
    const int left = replicas_per_zone_[z] - needed_in_zone_[z] - other.needed_in_zone_[z];
    if (left < 0)
      return false;
    spare += left;
  }
  const auto beyond_zones = [](const QuorumRule& r) {
    return std::max(0, r.anywhere_ - std::accumulate(r.needed_in_zone_.begin(), r.needed_in_zone_.end(), 0));
  };
  return beyond_zones(*this) + beyond_zones(other) <= spare;
}

QuorumOverlap quorum_overlap(Consistency write, Consistency read, const std::vector<int>& replicas_per_zone)
{
  bool every = true;
  bool only_across_zones = true;
  bool tried = false;
  for (std::size_t a = 0; a < replicas_per_zone.size(); ++a)
    for (std::size_t b = 0; b < replicas_per_zone.size(); ++b) {
      if (replicas_per_zone[a] == 0 || replicas_per_zone[b] == 0)
        continue;
      const QuorumRule w(write, replicas_per_zone, static_cast<int>(a));
      const QuorumRule r(read, replicas_per_zone, static_cast<int>(b));
      if (!w.achievable(replicas_per_zone) || !r.achievable(replicas_per_zone))
        continue;
      tried = true;
      if (w.can_miss(r)) {
        every = false;
        only_across_zones = only_across_zones && a != b;
      }
    }
  if (!tried)
    return QuorumOverlap::unknown;
  return every ? QuorumOverlap::always : only_across_zones ? QuorumOverlap::local : QuorumOverlap::never;
}

std::string to_string(QuorumOverlap overlap)
{
  switch (overlap) {
    case QuorumOverlap::always: return "always";
    case QuorumOverlap::local: return "local";
    case QuorumOverlap::never: return "never";
    case QuorumOverlap::unknown: return "unknown";
  }
  return "?";
}

bool QuorumRule::enough(const std::vector<int>& per_zone) const
{
  if (per_zone.size() != replicas_per_zone_.size())
    throw std::invalid_argument("consistency: counts for " + std::to_string(per_zone.size()) + " zones, expected " +
                                std::to_string(replicas_per_zone_.size()));
  if (anywhere_ > 0)
    return std::accumulate(per_zone.begin(), per_zone.end(), 0) >= anywhere_;
  for (std::size_t z = 0; z < per_zone.size(); ++z)
    if (per_zone[z] < needed_in_zone_[z])
      return false;
  return true;
}

}  // namespace replisim
