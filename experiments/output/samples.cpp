#include "experiments/output/samples.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>

namespace replisim {

namespace {

constexpr int kDigitBits = 16;
constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
// Candidates few enough to sort: a bound on the memory a percentile takes
// (512 KB), so that a run of ten million operations ends no bigger than one
// of a hundred thousand.
constexpr std::uint64_t kSortInMemory = std::uint64_t{1} << 16;
constexpr std::uint64_t kReadBlock = std::uint64_t{1} << 16;     // values read from the spill at once

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

}  // namespace

Samples::Samples(std::size_t buffer, std::shared_ptr<Spill> spill) : buffer_limit_(buffer), spill_(std::move(spill)) {}

void Samples::flush()
{
  if (!spill_)
    spill_ = std::make_shared<Spill>();
  chunks_.push_back({spill_->append(buffer_.data(), buffer_.size()), buffer_.size()});
  buffer_.clear();
}

template <typename F>
void Samples::for_each_value(F&& f) const
{
  std::vector<double> block;
  for (const Chunk& c : chunks_)
    for (std::uint64_t done = 0; done < c.count; done += block.size()) {
      spill_->read(c.offset + done * sizeof(double), std::min(kReadBlock, c.count - done), block);
      for (double x : block)
        f(x);
    }
  for (double x : buffer_)
    f(x);
}

double Samples::select(std::uint64_t k) const
{
  // Candidates: values whose top `known` bits are `prefix`.
  std::uint64_t prefix = 0;
  int known = 0;
  std::uint64_t candidates = count_ - zeros_;
  const auto matches = [&](double x) { return known == 0 || (bits(x) >> (64 - known)) == prefix; };
  while (candidates > kSortInMemory && known < 64) {
    std::vector<std::uint64_t> histogram(kBuckets, 0);
    const int shift = 64 - known - kDigitBits;
    for_each_value([&](double x) {
      if (matches(x))
        ++histogram[(bits(x) >> shift) & (kBuckets - 1)];
    });
    std::size_t bucket = 0;
    while (k > histogram[bucket])
      k -= histogram[bucket++];
    prefix = (prefix << kDigitBits) | bucket;
    known += kDigitBits;
    candidates = histogram[bucket];
  }
  if (known == 64)
    return std::bit_cast<double>(prefix);  // every candidate is this very value
  std::vector<double> left;
  left.reserve(candidates);
  for_each_value([&](double x) {
    if (matches(x))
      left.push_back(x);
  });
  std::nth_element(left.begin(), left.begin() + static_cast<std::ptrdiff_t>(k - 1), left.end());
  return left[k - 1];
}

std::vector<double> Samples::sorted() const
{
  std::vector<double> all(zeros_, 0.0);
  for_each_value([&all](double x) { all.push_back(x); });
  std::sort(all.begin(), all.end());
  return all;
}

double Samples::percentile(double p) const
{
  if (count_ == 0)
    return std::numeric_limits<double>::quiet_NaN();
  // p·n first: exact for whole percents, so the rank never rounds across an
  // integer (p / 100 · n gives 7.000000000000001 for p28 of 25 samples).
  const auto rank = static_cast<std::uint64_t>(std::ceil(p * static_cast<double>(count_) / 100.0));
  const std::uint64_t k = std::clamp<std::uint64_t>(rank, 1, count_);
  return k <= zeros_ ? 0.0 : select(k - zeros_);
}

}  // namespace replisim
