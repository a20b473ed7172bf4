#include "experiments/output_file.hpp"

#include <array>
#include <atomic>
#include <cstring>
#include <stdexcept>
#include <unistd.h>

namespace replisim {

namespace leftovers {

namespace {
struct Slot {
  std::atomic<bool> used{false};
  bool directory = false;
  char path[4096] = {};
};
std::array<Slot, 32> slots;
}  // namespace

int add(const std::string& path, bool directory)
{
  if (path.size() >= sizeof slots[0].path)
    return -1;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    Slot& s = slots[i];
    if (s.used.load())
      continue;
    std::memcpy(s.path, path.c_str(), path.size() + 1);
    s.directory = directory;
    s.used.store(true);
    return static_cast<int>(i);
  }
  return -1;
}

void forget(int slot)
{
  if (slot >= 0 && static_cast<std::size_t>(slot) < slots.size())
    slots[static_cast<std::size_t>(slot)].used.store(false);
}

void remove_all() noexcept
{
  // Files first, then directories, innermost (latest) first.
  for (const Slot& s : slots)
    if (s.used.load() && !s.directory)
      ::unlink(s.path);
  for (std::size_t i = slots.size(); i-- > 0;)
    if (slots[i].used.load() && slots[i].directory)
      ::rmdir(slots[i].path);
}

}  // namespace leftovers

OutputFile::OutputFile(const std::filesystem::path& dir, const std::string& name)
    : final_(dir / name), temporary_(dir / ("." + name + ".tmp"))
{
  leftover_ = leftovers::add(temporary_.string(), false);
  out_.open(temporary_, std::ios::binary | std::ios::trunc);
  if (!out_) {
    leftovers::forget(leftover_);
    throw std::runtime_error("cannot write '" + temporary_.string() + "'");
  }
}

OutputFile::~OutputFile()
{
  if (!committed_) {
    out_.close();
    std::error_code ignored;
    std::filesystem::remove(temporary_, ignored);
  }
  leftovers::forget(leftover_);
}

void OutputFile::close()
{
  if (closed_)
    return;
  out_.close();
  closed_ = true;
  if (!out_)
    throw std::runtime_error("cannot finish writing '" + final_.string() + "'");
}

void OutputFile::commit()
{
  close();
  std::filesystem::rename(temporary_, final_);
  committed_ = true;
  leftovers::forget(leftover_);
}

}  // namespace replisim
