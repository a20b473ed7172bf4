// Exact nearest-rank percentiles of a sample kept partly on disk: checked
// against sorting the same values in memory.
#include "experiments/output/samples.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "experiments/core/op_metrics.hpp"
#include "protocols/common/rng.hpp"

namespace replisim {
namespace samples_test {

void expect_same_percentiles(const std::vector<double>& values, std::size_t buffer)
{
  Samples samples(buffer);
  for (double x : values)
    samples.add(x);
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (double p : {0.0, 1.0, 25.0, 50.0, 95.0, 99.0, 99.9, 100.0})
    EXPECT_EQ(samples.percentile(p), percentile(sorted, p)) << "p" << p << " of " << values.size();
  EXPECT_EQ(samples.size(), values.size());
  EXPECT_EQ(samples.max(), sorted.back());
}

TEST(Samples, InMemoryMatchesSorting)
{
  Rng rng(1);
  std::vector<double> v;
  for (int i = 0; i < 1000; ++i)
    v.push_back(rng.exponential(1.0));
  expect_same_percentiles(v, 1 << 20);
}

TEST(Samples, SpilledToDiskMatchesSorting)
{
  // Two million values in chunks of 4,096: select over the file, not in memory.
  Rng rng(2);
  std::vector<double> v;
  for (int i = 0; i < 2'000'000; ++i)
    v.push_back(rng.exponential(5.0) + (i % 7 == 0 ? 100.0 : 0.0));
  expect_same_percentiles(v, 4096);
}

TEST(Samples, ManyEqualValuesAndZeros)
{
  std::vector<double> v(1'500'000, 40.006);  // a constant path sum: one bucket all the way down
  v.insert(v.end(), 300'000, 0.0);           // waits of nodes that never queued
  v.insert(v.end(), 100, 41.5);
  expect_same_percentiles(v, 4096);
}

TEST(Samples, EmptyIsNaN)
{
  Samples s;
  EXPECT_TRUE(std::isnan(s.percentile(50)));
  EXPECT_TRUE(s.empty());
}

}  // namespace samples_test
}  // namespace replisim
