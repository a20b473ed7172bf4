#include "protocols/common/types.hpp"

namespace replisim {

const char* to_string(OpKind kind) { return kind == OpKind::write ? "write" : "read"; }

const char* to_string(Outcome outcome)
{
  switch (outcome) {
    case Outcome::ok: return "ok";
    case Outcome::failed: return "failed";
    case Outcome::timeout: return "timeout";
  }
  return "?";
}

}  // namespace replisim
