// What clients ask for: which key, read or write. YCSB's generators, seeded.
#pragma once
#include <string>

#include "protocols/common/rng.hpp"
#include "protocols/common/types.hpp"

namespace replisim {

enum class KeyDistribution : std::uint8_t { uniform, zipfian };
KeyDistribution parse_key_distribution(const std::string& text);
std::string to_string(KeyDistribution dist);

// YCSB's ZipfianGenerator (Gray et al., "Quickly generating billion-record
// synthetic databases"): rank 0 is the hottest key.
class Zipfian {
public:
  static constexpr double kYcsbConstant = 0.99;
  explicit Zipfian(std::uint64_t items, double theta = kYcsbConstant);
  std::uint64_t next(Rng& rng) const;
  double zeta_n() const { return zeta_n_; }

private:
  std::uint64_t items_;
  double theta_, alpha_, zeta_n_, eta_, half_pow_theta_;
};

class KeyChooser {
public:
  KeyChooser(KeyDistribution dist, std::uint64_t keys);
  Key next(Rng& rng) const;

private:
  KeyDistribution dist_;
  std::uint64_t keys_;
  Zipfian zipfian_;
};

struct OpRequest {
  OpKind kind;
  Key key;
};

class Workload {
public:
  Workload(KeyChooser keys, double read_ratio) : keys_(std::move(keys)), read_ratio_(read_ratio) {}
  OpRequest next(Rng& rng) const
  {
    const OpKind kind = rng.uniform() < read_ratio_ ? OpKind::read : OpKind::write;
    return {kind, keys_.next(rng)};
  }

private:
  KeyChooser keys_;
  double read_ratio_;
};

}  // namespace replisim
