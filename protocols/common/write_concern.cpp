#include "protocols/common/write_concern.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

namespace replisim {

WriteConcern parse_write_concern(const std::string& text)
{
  if (text == "1")
    return WriteConcern::one;
  if (text == "majority")
    return WriteConcern::majority;
  if (text == "all")
    return WriteConcern::all;
  throw std::invalid_argument("unknown write concern '" + text + "' (expected 1, majority or all)");
}

std::string to_string(WriteConcern concern)
{
  switch (concern) {
    case WriteConcern::one: return "1";
    case WriteConcern::majority: return "majority";
    case WriteConcern::all: return "all";
  }
  return "?";
}

int acks_needed(WriteConcern concern, int replicas)
{
  switch (concern) {
    case WriteConcern::one: return 1;
    case WriteConcern::majority: return replicas / 2 + 1;
    case WriteConcern::all: return replicas;
  }
  return replicas;
}

LogIndex quorum_index(std::vector<LogIndex> match_indexes, int needed)
{
  if (needed < 1 || needed > static_cast<int>(match_indexes.size()))
    return 0;
  std::nth_element(match_indexes.begin(), match_indexes.begin() + (needed - 1), match_indexes.end(),
                   std::greater<>());
  return match_indexes[needed - 1];
}

}  // namespace replisim
