// An output file that appears whole or not at all: written under a temporary
// name in the same directory and renamed on commit(). Destroyed uncommitted
// (an error, a crash unwinding), it removes the temporary; so does an
// interrupted process (interrupt.hpp), through the registry of leftovers.
#pragma once
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace replisim {

class OutputFile {
public:
  // `gzip`: the file is compressed as it is written (ops.csv.gz).
  OutputFile(const std::filesystem::path& dir, const std::string& name, bool gzip = false);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  std::ostream& stream() { return gzip_ ? *gzip_ : static_cast<std::ostream&>(out_); }
  // Closes the temporary; throws std::runtime_error when anything written
  // to it was lost (a full disk). commit() closes first if need be.
  void close();
  void commit();
  const std::filesystem::path& path() const { return final_; }

private:
  std::filesystem::path final_;
  std::filesystem::path temporary_;
  std::ofstream out_;
  std::unique_ptr<std::ostream> gzip_;  // over a zlib gzFile, when compressed
  std::unique_ptr<std::streambuf> gzip_buffer_;
  int leftover_ = -1;  // its slot in the registry of leftovers
  bool closed_ = false;
  bool committed_ = false;
};

// What an interrupted process removes before it exits: temporary files, and
// directories it created (only if empty). Async-signal-safe to run.
namespace leftovers {
// Remembers `path`; returns its slot (-1 when the registry is full).
int add(const std::string& path, bool directory);
void forget(int slot);
// Removes every remembered path; for a signal handler.
void remove_all() noexcept;
}  // namespace leftovers

}  // namespace replisim
