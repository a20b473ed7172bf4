// A scratch directory for a test's run outputs, named after the test (ctest
// runs tests in parallel) and removed when the test's process exits, so
// that no test leaves files in the system's temporary folder.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace replisim::test {

inline std::string scratch_out()
{
  struct Removed {
    std::vector<std::filesystem::path> paths;
    ~Removed()
    {
      for (const auto& p : paths) {
        std::error_code ignored;
        std::filesystem::remove_all(p, ignored);
      }
    }
  };
  static Removed removed;
  const std::filesystem::path path = std::filesystem::path(testing::TempDir()) /
                                     ("replisim-" + std::string(testing::UnitTest::GetInstance()->current_test_info()->name()));
  removed.paths.push_back(path);
  return path.string();
}

}  // namespace replisim::test
