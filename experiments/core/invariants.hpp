// --check-invariants: what must hold in every run of a replication protocol,
// checked while it runs (and always in the tests):
//  - at most one leader per unit per term (Raft's Election Safety; a chain's
//    epoch counts as its term);
//  - an entry committed in a term is in the log of every later leader
//    (Leader Completeness, checked by the models that keep logs);
//  - no write acknowledged with a majority is lost (checked against the
//    final state of the unit's replicas).
// The first violation stops the run; `replisim run` reports it and exits 3.
#pragma once
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "protocols/common/state_machine.hpp"

namespace replisim {

// What `replisim run` exits 3 with.
struct InvariantViolation : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Invariants {
public:
  explicit Invariants(bool checked) : checked_(checked) {}

  // Whether the run checks them: models skip the costly checks otherwise.
  bool checked() const { return checked_; }
  // Records a violation (the first one is kept): `what` names the unit, the
  // term and the nodes.
  void violated(Time at, const std::string& what);
  const std::optional<std::string>& violation() const { return violation_; }

  // One leader per unit per term, from the role events the nodes report.
  void role_changed(const RoleEvent& e);

private:
  bool checked_;
  std::optional<std::string> violation_;
  std::map<std::pair<UnitId, Term>, NodeId> leaders_;  // who became leader of a unit at a term
};

}  // namespace replisim
