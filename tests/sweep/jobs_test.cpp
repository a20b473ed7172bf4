// Points and jobs in spec order, shards that cover every job once, and the
// fingerprint that ties a sweep directory to its spec.
#include <gtest/gtest.h>

#include <set>

#include "experiments/sweep/jobs.hpp"

using namespace replisim::sweep;

namespace {

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

}  // namespace
