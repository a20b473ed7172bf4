// A small seeded generator whose output is fixed by its seed on every platform
// (std:: distributions are implementation-defined, so byte-identical CSVs
// across machines need our own conversions). Each stream (client, node,
// placement) derives its own seed, so adding a consumer never shifts another.
#pragma once
#include <cmath>
#include <cstdint>

namespace replisim {

inline std::uint64_t splitmix64(std::uint64_t& state)
{
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A seed for stream `stream` of a run seeded with `seed`.
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream)
{
  std::uint64_t s = seed ^ (0x6a09e667f3bcc909ULL * (stream + 1));
  return splitmix64(s);
}

// xoshiro256** (Blackman & Vigna).
class Rng {
public:
  explicit Rng(std::uint64_t seed)
  {
    for (auto& word : s_)
      word = splitmix64(seed);
  }

  std::uint64_t next()
  {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n); n > 0. Lemire's multiply-shift, unbiased enough
  // for n far below 2^64 (rejection is not worth the branch here).
  std::uint64_t below(std::uint64_t n)
  {
    __extension__ using u128 = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<u128>(next()) * n) >> 64);
  }

  double exponential(double mean) { return -mean * std::log1p(-uniform()); }

private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace replisim
