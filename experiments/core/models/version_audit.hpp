// Acknowledged writes held against a unit's final versions, for the models
// whose replicas keep the newest version of each key (leaderless, chain): a
// write is lost when the replica that decides the unit's final state holds
// an older version of its key than the one acknowledged. (Leader-based
// models audit their logs instead: log_audit.hpp.) Kept only under faults:
// without them nothing is lost, and a long run would hold an entry per write.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "protocols/client/client.hpp"

namespace replisim {

class VersionAudit {
public:
  // `kept`: whether the run audits at all (a fault schedule was given).
  explicit VersionAudit(bool kept) : kept_(kept) {}
  bool kept() const { return kept_; }
  // Every finished operation; the ok writes are noted, as their clients saw them.
  void completed(const Completion& op)
  {
    if (kept_ && op.kind == OpKind::write && op.outcome == Outcome::ok)
      acked_.push_back({op.unit, op.key, op.version});
  }
  // After the run: how many acknowledged writes `final_version(unit, key)`
  // no longer covers; nothing when the audit is not kept.
  std::optional<std::uint64_t> lost(const std::function<Version(UnitId, Key)>& final_version) const;

private:
  struct Acked {
    UnitId unit;
    Key key;
    Version version;
  };
  bool kept_;
  std::vector<Acked> acked_;
};

}  // namespace replisim
