// A Raft log built from its entries' terms, for tests of the log rules.
#pragma once
#include <vector>

#include "protocols/raft/raft_log.hpp"

namespace replisim::test {

// A log whose entries have these terms; entry i writes key i with version 1.
inline Log log_of_terms(const std::vector<Term>& terms)
{
  Log log;
  for (std::size_t i = 0; i < terms.size(); ++i)
    log.push_back({terms[i], static_cast<Key>(i + 1), 1, static_cast<OpId>(i + 1)});
  return log;
}

}  // namespace replisim::test
