// An output file that appears whole or not at all: written under a temporary
// name in the same directory and renamed on commit(). Destroyed uncommitted
// (an error, a crash unwinding), it removes the temporary.
#pragma once
#include <filesystem>
#include <fstream>
#include <string>

namespace replisim {

class OutputFile {
public:
  OutputFile(const std::filesystem::path& dir, const std::string& name);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  std::ostream& stream() { return out_; }
  void commit();

private:
  std::filesystem::path final_;
  std::filesystem::path temporary_;
  std::ofstream out_;
  bool committed_ = false;
};

}  // namespace replisim
