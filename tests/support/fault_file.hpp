// A fault file (--faults) in a scratch place, removed with the test.
#pragma once
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace replisim::test {

struct FaultFile {
  explicit FaultFile(const std::string& toml)
      : path(std::filesystem::temp_directory_path() / ("replisim-faults-" + std::to_string(getpid()) + ".toml"))
  {
    std::ofstream(path) << toml;
  }
  ~FaultFile() { std::filesystem::remove(path); }
  FaultFile(const FaultFile&) = delete;
  FaultFile& operator=(const FaultFile&) = delete;
  std::filesystem::path path;
};

}  // namespace replisim::test
