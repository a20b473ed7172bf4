// A setting a protocol cannot work with, named in the protocol's own terms
// (the replication factor, the unit count), not as the flag, file key or
// library setting the user typed: the configuration layer knows those
// (experiments/core/flag_value.hpp's flag_message), and protocols do not know
// the command line.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace replisim {

enum class Setting : std::uint8_t {
  nodes,          // datastore nodes
  vnodes,         // tokens per node on a ring
  rf,             // replicas per unit (or per zone)
  units,          // units of data: partitions, chains
  start_index,    // Kafka's replica assignment start index
  keys,           // distinct keys of the workload
  concurrency,    // a client's outstanding operations
  rate,           // a client's open-loop rate
  retries,        // attempts after the first
  retry_backoff,  // wait before the first retry
  ops,            // operations in all
  down,           // nodes down for the whole run
};

class SettingError : public std::invalid_argument {
public:
  // `reason` reads after the setting's name: "must be at least 1".
  SettingError(Setting setting, const std::string& reason) : std::invalid_argument(reason), setting_(setting) {}
  Setting setting() const { return setting_; }

private:
  Setting setting_;
};

}  // namespace replisim
