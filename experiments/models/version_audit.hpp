// Acknowledged writes held against a unit's final versions, for the models
// whose replicas keep the newest version of each key (leaderless, chain): a
// write is lost when the replica that decides the unit's final state holds
// an older version of its key than the one acknowledged. (Leader-based
// models audit their logs instead: log_audit.hpp.) Kept only under faults:
// without them nothing is lost, and a long run would hold an entry per write.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "protocols/client.hpp"

namespace replisim {

class VersionAudit {
public:
  // An ok write, as its client saw it.
  void acknowledged(const Completion& op) { acked_.push_back({op.unit, op.key, op.version}); }
  // After the run: how many acknowledged writes `final_version(unit, key)`
  // no longer covers.
  std::uint64_t lost(const std::function<Version(UnitId, Key)>& final_version) const;

private:
  struct Acked {
    UnitId unit;
    Key key;
    Version version;
  };
  std::vector<Acked> acked_;
};

}  // namespace replisim
