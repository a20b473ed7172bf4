#include "experiments/core/models/version_audit.hpp"

namespace replisim {

std::optional<std::uint64_t> VersionAudit::lost(const std::function<Version(UnitId, Key)>& final_version) const
{
  if (!kept_)
    return std::nullopt;
  std::uint64_t lost = 0;
  for (const Acked& a : acked_)
    lost += final_version(a.unit, a.key) < a.version ? 1 : 0;
  return lost;
}

}  // namespace replisim
