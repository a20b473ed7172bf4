#include "protocols/leader_follower/read_concern.hpp"

#include <stdexcept>

namespace replisim {

ReadConcern parse_read_concern(const std::string& text)
{
  if (text == "local")
    return ReadConcern::local;
  if (text == "majority")
    return ReadConcern::majority;
  if (text == "linearizable")
    return ReadConcern::linearizable;
  throw std::invalid_argument("unknown read concern '" + text + "' (expected local, majority or linearizable)");
}

std::string to_string(ReadConcern concern)
{
  switch (concern) {
    case ReadConcern::local: return "local";
    case ReadConcern::majority: return "majority";
    case ReadConcern::linearizable: return "linearizable";
    case ReadConcern::high_watermark: return "high_watermark";
  }
  return "?";
}

}  // namespace replisim
