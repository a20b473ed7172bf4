// A temporary file a run spills what it must keep but not hold in memory
// (latency samples, the writes a lost-update audit judges at the end):
// appended in chunks, read back by offset. Unlinked as soon as it is made, so
// it goes with the process however that ends.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <type_traits>
#include <vector>

namespace replisim {

class Spill {
public:
  Spill();
  ~Spill();
  Spill(const Spill&) = delete;
  Spill& operator=(const Spill&) = delete;

  // Appends `count` items; returns the offset (in bytes) they start at.
  template <typename T>
  std::uint64_t append(const T* items, std::size_t count)
  {
    static_assert(std::is_trivially_copyable_v<T>);
    return append_bytes(items, count * sizeof(T));
  }
  // Reads `count` items from `offset` (in bytes).
  template <typename T>
  void read(std::uint64_t offset, std::size_t count, std::vector<T>& into) const
  {
    static_assert(std::is_trivially_copyable_v<T>);
    into.resize(count);
    read_bytes(offset, count * sizeof(T), into.data());
  }

private:
  std::uint64_t append_bytes(const void* data, std::size_t bytes);
  void read_bytes(std::uint64_t offset, std::size_t bytes, void* into) const;

  std::FILE* file_ = nullptr;
  std::uint64_t size_ = 0;  // bytes written
};

}  // namespace replisim
