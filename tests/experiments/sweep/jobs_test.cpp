// Points and jobs in spec order, shards that cover every job once, and the
// fingerprint that ties a sweep directory to its spec.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <set>

#include "experiments/sweep/jobs.hpp"

using namespace replisim::sweep;

namespace jobs_test {

Spec two_axes(Combine combine)
{
  Spec spec;
  spec.combine = combine;
  spec.fixed = {{"ops", "100"}, {"write-concern", "all"}};
  spec.axes = {{"model", {"leader-follower", "partitioned"}}, {"nodes", {"3", "6"}}};
  return spec;
}

std::vector<std::string> values(const Point& point)
{
  std::vector<std::string> v;
  for (const Param& p : point)
    v.push_back(p.value);
  return v;
}

TEST(SweepJobs, ProductVariesTheFirstAxisSlowest)
{
  Spec spec = two_axes(Combine::product);
  spec.axes[1].values = {"3", "6", "12"};
  const auto points = expand_points(spec);
  ASSERT_EQ(points.size(), 6u);
  using V = std::vector<std::string>;
  EXPECT_EQ(values(points[0]), (V{"leader-follower", "3", "100", "all"}));
  EXPECT_EQ(values(points[1]), (V{"leader-follower", "6", "100", "all"}));
  EXPECT_EQ(values(points[2]), (V{"leader-follower", "12", "100", "all"}));
  EXPECT_EQ(values(points[3]), (V{"partitioned", "3", "100", "all"}));
  EXPECT_EQ(values(points[4]), (V{"partitioned", "6", "100", "all"}));
  EXPECT_EQ(values(points[5]), (V{"partitioned", "12", "100", "all"}));
  EXPECT_EQ(points[0][0].flag, "model");
  EXPECT_EQ(points[0][3].flag, "write-concern");
}

TEST(SweepJobs, ProductOfThreeAxesIsAnOdometer)
{
  Spec spec;
  spec.axes = {{"a", {"0", "1"}}, {"b", {"0", "1"}}, {"c", {"0", "1"}}};
  const auto points = expand_points(spec);
  ASSERT_EQ(points.size(), 8u);
  for (std::size_t i = 0; i < 8; ++i)
    EXPECT_EQ(values(points[i]), (std::vector<std::string>{std::to_string(i >> 2 & 1), std::to_string(i >> 1 & 1),
                                                           std::to_string(i & 1)}));
}

TEST(SweepJobs, ZipTakesTheAxesTogether)
{
  const auto points = expand_points(two_axes(Combine::zip));
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(values(points[0]), (std::vector<std::string>{"leader-follower", "3", "100", "all"}));
  EXPECT_EQ(values(points[1]), (std::vector<std::string>{"partitioned", "6", "100", "all"}));
}

TEST(SweepJobs, NoAxesIsOnePointOfTheFixedFlags)
{
  Spec spec;
  spec.fixed = {{"ops", "100"}};
  EXPECT_EQ(expand_points(spec), (std::vector<Point>{{{"ops", "100"}}}));
  spec.combine = Combine::zip;
  EXPECT_EQ(expand_points(spec).size(), 1u);
}

TEST(SweepJobs, EachPointRunsOncePerSeedInTurn)
{
  Spec spec = two_axes(Combine::zip);
  spec.seeds = {7, 3};
  const auto jobs = expand_jobs(spec);
  ASSERT_EQ(jobs.size(), 4u);
  const auto points = expand_points(spec);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    EXPECT_EQ(jobs[i].index, i);
    EXPECT_EQ(jobs[i].params, points[i / 2]);
    EXPECT_EQ(jobs[i].seed, i % 2 == 0 ? 7u : 3u);
  }
}

TEST(SweepJobs, RunArgumentsAreFlagsWithTheirValues)
{
  const Job job{0, {{"latency", "-5ms"}, {"write-concern", "all"}}, 4};
  EXPECT_EQ(run_arguments(job), (std::vector<std::string>{"--latency=-5ms", "--write-concern=all", "--seed=4"}));
}

TEST(SweepJobs, ParameterColumnsAreAxesThenFixedWithUnderscores)
{
  EXPECT_EQ(param_columns(two_axes(Combine::product)),
            (std::vector<std::string>{"model", "nodes", "ops", "write_concern"}));
}

TEST(SweepJobs, ShardsCoverEveryJobExactlyOnce)
{
  for (std::size_t n = 1; n <= 5; ++n) {
    for (std::size_t job = 0; job < 23; ++job) {
      int holders = 0;
      for (std::size_t k = 1; k <= n; ++k)
        holders += parse_shard(std::to_string(k) + "/" + std::to_string(n)).holds(job) ? 1 : 0;
      EXPECT_EQ(holders, 1) << job << " in " << n << " shards";
    }
  }
  EXPECT_TRUE(parse_shard("2/3").holds(1));
  EXPECT_TRUE(parse_shard("2/3").holds(4));
}

TEST(SweepJobs, BadShardsNameTheFlag)
{
  for (const char* bad : {"0/3", "4/3", "3", "1/0", "a/b", "1/3x", "-1/3", ""}) {
    try {
      parse_shard(bad);
      ADD_FAILURE() << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("--shard"), std::string::npos);
    }
  }
}

TEST(SweepJobs, FingerprintFollowsTheJobsOnly)
{
  const Spec spec = two_axes(Combine::product);
  const std::string base = fingerprint(expand_jobs(spec), {});
  EXPECT_EQ(base.size(), 16u);
  Spec renamed = spec;
  renamed.name = "another name";
  EXPECT_EQ(fingerprint(expand_jobs(renamed), {}), base);

  Spec changed = spec;
  changed.fixed[0].value = "101";
  EXPECT_NE(fingerprint(expand_jobs(changed), {}), base);
  Spec reseeded = spec;
  reseeded.seeds = {2};
  EXPECT_NE(fingerprint(expand_jobs(reseeded), {}), base);
  EXPECT_NE(fingerprint(expand_jobs(spec), {"--cfg=network/model:LV08"}), base);
}

// Small specs of every shape: product (with an axis of one value), zip, a
// single axis, no axes; one seed or several.
std::vector<Spec> small_specs()
{
  std::vector<Spec> specs;
  Spec product;
  product.seeds = {7, 3};
  product.fixed = {{"ops", "100"}};
  product.axes = {{"model", {"leader-follower", "partitioned"}}, {"rf", {"1"}}, {"nodes", {"3", "6", "9"}},
                  {"latency", {"1ms", "5ms", "20ms", "50ms"}}};
  specs.push_back(product);
  Spec zip = product;
  zip.combine = Combine::zip;
  zip.axes = {{"nodes", {"3", "6", "9"}}, {"rf", {"1", "2", "3"}}, {"latency", {"1ms", "5ms", "9ms"}}};
  zip.seeds = {1, 2, 3};
  specs.push_back(zip);
  Spec single;
  single.axes = {{"nodes", {"3", "6", "12", "24", "48"}}};
  specs.push_back(single);
  Spec none;
  none.fixed = {{"ops", "5"}, {"rf", "1"}};
  none.seeds = {4, 2};
  specs.push_back(none);
  return specs;
}

void expect_same_jobs(const std::vector<Job>& decoded, const std::vector<Job>& expanded)
{
  ASSERT_EQ(decoded.size(), expanded.size());
  for (std::size_t i = 0; i < decoded.size(); ++i) {
    EXPECT_EQ(decoded[i].index, expanded[i].index) << i;
    EXPECT_EQ(decoded[i].params, expanded[i].params) << i;
    EXPECT_EQ(decoded[i].seed, expanded[i].seed) << i;
  }
}

TEST(SweepJobs, JobAtDecodesTheJobsExpandingLists)
{
  for (const Spec& spec : small_specs()) {
    const std::vector<Job> expanded = expand_jobs(spec);
    ASSERT_EQ(job_count(spec), expanded.size());
    std::vector<Job> decoded;
    for (std::size_t i = 0; i < expanded.size(); ++i)
      decoded.push_back(job_at(spec, i));
    expect_same_jobs(decoded, expanded);
    const std::vector<Point> points = expand_points(spec);
    ASSERT_EQ(point_count(spec), points.size());
    for (std::size_t p = 0; p < points.size(); ++p)
      EXPECT_EQ(point_at(spec, p), points[p]) << p;
  }
}

TEST(SweepJobs, AShardDecodesExactlyItsShareOfTheExpandedJobs)
{
  for (const Spec& spec : small_specs()) {
    const std::vector<Job> expanded = expand_jobs(spec);
    for (std::size_t n = 1; n <= 5; ++n)
      for (std::size_t k = 1; k <= n; ++k) {
        const Shard shard{k, n};
        std::vector<Job> wanted;
        for (const Job& job : expanded)
          if (shard.holds(job.index))
            wanted.push_back(job);
        std::vector<Job> decoded;
        for (std::size_t index : shard.indices(expanded.size()))
          decoded.push_back(job_at(spec, index));
        expect_same_jobs(decoded, wanted);
      }
  }
}

// 100 x 100 x 100 points, one seed: the most jobs a sweep may run.
Spec million_jobs()
{
  Spec spec;
  spec.fixed = {{"rf", "1"}};
  for (const char* flag : {"ops", "clients", "keys"}) {
    Axis axis{flag, {}};
    for (int v = 1; v <= 100; ++v)
      axis.values.push_back(std::to_string(v));
    spec.axes.push_back(axis);
  }
  return spec;
}

TEST(SweepJobs, AShardOfAMillionJobsBuildsOnlyItsThousand)
{
  const Spec spec = million_jobs();
  ASSERT_EQ(job_count(spec), kMaxJobs);
  const std::vector<std::size_t> held = Shard{7, 1000}.indices(kMaxJobs);
  ASSERT_EQ(held.size(), 1000u);
  EXPECT_EQ(held.front(), 6u);
  EXPECT_EQ(held.back(), 999'006u);
  // 999,006 in base 100 is 99 90 06: ops 100, clients 91, keys 7.
  const Job last = job_at(spec, held.back());
  EXPECT_EQ(last.params, (Point{{"ops", "100"}, {"clients", "91"}, {"keys", "7"}, {"rf", "1"}}));
  EXPECT_EQ(last.seed, 1u);
  EXPECT_EQ((Shard{1, std::numeric_limits<std::size_t>::max()}.indices(kMaxJobs)), std::vector<std::size_t>{0});
  EXPECT_TRUE((Shard{3, 5}.indices(2).empty()));
}

TEST(SweepJobs, SeedsAreTheFastestDigitOfAJobIndex)
{
  Spec spec = million_jobs();
  spec.seeds = {11, 22, 33};
  const Job job = job_at(spec, 3 * 10'203 + 2);  // point 01 02 03
  EXPECT_EQ(job.params, (Point{{"ops", "2"}, {"clients", "3"}, {"keys", "4"}, {"rf", "1"}}));
  EXPECT_EQ(job.seed, 33u);
  EXPECT_EQ(job.index, 30'611u);
}

TEST(SweepJobs, AnIndexPastTheEndIsNotAnotherPoint)
{
  const Spec spec = small_specs()[0];
  EXPECT_THROW(point_at(spec, *point_count(spec)), std::out_of_range);
  EXPECT_THROW(job_at(spec, *job_count(spec)), std::out_of_range);
  EXPECT_THROW(point_at(small_specs()[1], 3), std::out_of_range);
}

TEST(SweepJobs, StreamedFingerprintEqualsTheExpandedOne)
{
  for (const Spec& spec : small_specs()) {
    EXPECT_EQ(fingerprint(spec, {}), fingerprint(expand_jobs(spec), {}));
    EXPECT_EQ(fingerprint(spec, {"--cfg=network/model:LV08"}), fingerprint(expand_jobs(spec), {"--cfg=network/model:LV08"}));
  }
}

// Values replisim wrote into sweep-id files before jobs were decoded from
// their index: existing sweep directories must keep resuming and merging.
TEST(SweepJobs, FingerprintsOfExistingSweepDirectoriesDoNotChange)
{
  Spec product;
  product.fixed = {{"rf", "99"}};
  product.axes = {{"model", {"leader-follower", "partitioned", "leaderless"}},
                  {"nodes", {"3", "6"}},
                  {"ops", {"10", "20", "30", "40", "50"}},
                  {"clients", {"1", "2"}}};
  EXPECT_EQ(fingerprint(product, {}), "70f2d51c31231b87");
  EXPECT_EQ(fingerprint(product, {"--cfg=network/model:LV08"}), "5acc84d61854f97d");

  Spec zip;
  zip.combine = Combine::zip;
  zip.seeds = {5, 3, 9};
  zip.fixed = {{"ops", "100"}, {"rf", "99"}};
  zip.axes = {{"nodes", {"3", "6", "9"}}, {"latency", {"1ms", "2.50ms", "-5ms"}}, {"read-ratio", {"0.1", "1e-1", "0.30"}}};
  EXPECT_EQ(fingerprint(zip, {}), "1cef5f614023c7f2");

  Spec none;
  none.seeds = {4, 2};
  none.fixed = {{"ops", "100"}, {"rf", "99"}};
  EXPECT_EQ(fingerprint(none, {}), "b0547bd437afa6fe");

  EXPECT_EQ(fingerprint(million_jobs(), {}), "bd2586dc04c7e4bd");
}

TEST(SweepJobs, ASpecTooBigToRunHasNoFingerprint)
{
  Spec spec = million_jobs();
  spec.seeds = {1, 2};
  EXPECT_THROW(fingerprint(spec, {}), std::length_error);
}

}  // namespace jobs_test
