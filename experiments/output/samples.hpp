// A sample of non-negative values (latencies, waits) that grows with the run,
// whose nearest-rank percentiles stay exact while memory stays bounded.
//
// Values are kept in memory up to a buffer, then appended in chunks to one
// temporary file shared by every sample of the run (a Spill); a percentile
// is found by selecting on the bits of the values, which for non-negative
// doubles order like the values: a histogram of the top 16 bits over the
// values says which bucket holds the rank, then the next 16 bits within it,
// until few enough candidates are left to sort in memory. Exact zeros (a
// node that never queued) are only counted.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "experiments/output/spill.hpp"

namespace replisim {

class Samples {
public:
  // `buffer`: values kept in memory before a chunk goes to `spill` (shared;
  // made on first need when null).
  explicit Samples(std::size_t buffer = std::size_t{1} << 16, std::shared_ptr<Spill> spill = nullptr);

  void add(double x)
  {
    ++count_;
    sum_ += x;
    max_ = x > max_ ? x : max_;
    if (x == 0) {
      ++zeros_;
      return;
    }
    buffer_.push_back(x);
    if (buffer_.size() >= buffer_limit_)
      flush();
  }

  std::uint64_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  double sum() const { return sum_; }
  double max() const { return max_; }  // 0 when empty
  // Nearest-rank percentile (p in [0, 100]); NaN when empty.
  double percentile(double p) const;
  // Every value, in ascending order: for tests and small samples (it holds
  // them all in memory).
  std::vector<double> sorted() const;

private:
  struct Chunk {
    std::uint64_t offset;  // in the spill, in bytes
    std::uint64_t count;   // values
  };
  void flush();
  // The k-th smallest (1-based) of the non-zero values.
  double select(std::uint64_t k) const;
  template <typename F>
  void for_each_value(F&& f) const;

  std::size_t buffer_limit_;
  std::shared_ptr<Spill> spill_;
  std::vector<double> buffer_;
  std::vector<Chunk> chunks_;
  std::uint64_t count_ = 0;
  std::uint64_t zeros_ = 0;
  double sum_ = 0;
  double max_ = 0;
};

}  // namespace replisim
