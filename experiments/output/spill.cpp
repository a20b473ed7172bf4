#include "experiments/output/spill.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace replisim {

Spill::Spill()
{
  std::string path = (std::filesystem::temp_directory_path() / "replisim-spill-XXXXXX").string();
  const int fd = mkstemp(path.data());
  if (fd < 0)
    throw std::runtime_error("cannot create a temporary file in " + std::filesystem::temp_directory_path().string());
  // Unlinked at once: the file goes with the process, however it ends.
  ::unlink(path.c_str());
  file_ = fdopen(fd, "w+b");
  if (file_ == nullptr) {
    ::close(fd);
    throw std::runtime_error("cannot open a temporary file in " + std::filesystem::temp_directory_path().string());
  }
}

Spill::~Spill()
{
  if (file_ != nullptr)
    std::fclose(file_);
}

std::uint64_t Spill::append_bytes(const void* data, std::size_t bytes)
{
  const std::uint64_t offset = size_;
  if (std::fseek(file_, static_cast<long>(offset), SEEK_SET) != 0 || std::fwrite(data, 1, bytes, file_) != bytes)
    throw std::runtime_error("cannot write a temporary file (is the disk full?)");
  size_ += bytes;
  return offset;
}

void Spill::read_bytes(std::uint64_t offset, std::size_t bytes, void* into) const
{
  if (std::fseek(file_, static_cast<long>(offset), SEEK_SET) != 0 || std::fread(into, 1, bytes, file_) != bytes)
    throw std::runtime_error("cannot read back a temporary file");
}

}  // namespace replisim
