// Sweep specs: a good spec parsed as written, and each kind of bad spec
// refused with one line naming the file, the line and the key.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <limits>

#include "experiments/core/run_flags.hpp"
#include "experiments/sweep/commands.hpp"
#include "experiments/sweep/spec.hpp"
#include "support/command.hpp"

using namespace replisim;
using namespace replisim::sweep;

namespace spec_test {

std::vector<std::string> run_flags()
{
  CLI::App run;
  RunConfig config;
  add_run_flags(run, config);
  return flag_names(run);
}

Spec parse(const std::string& text) { return parse_spec(text, "spec.toml", run_flags()); }

// The message of the SpecError parsing `text` throws ("" if none).
std::string error_of(const std::string& text)
{
  try {
    parse(text);
  } catch (const SpecError& e) {
    return e.what();
  }
  return "";
}

void expect_error(const std::string& text, const std::string& location, const std::string& key)
{
  const std::string error = error_of(text);
  EXPECT_EQ(error.rfind(location, 0), 0u) << "expected '" << location << "' first in: " << error;
  EXPECT_NE(error.find(key), std::string::npos) << "expected the key '" << key << "' in: " << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

constexpr const char* kIssueExample = R"(# the example of the issue
[sweep]
name = "latency-vs-nodes"
combine = "product"      # or "zip": axes of equal length, taken together
seeds = [1, 2, 3]        # every point runs once per seed

[fixed]                  # any `replisim run` flag, without its dashes
ops = 5000
rf = 3
write-concern = "majority"

[axes]                   # same; in a product the first axis varies slowest
model = ["leader-follower", "partitioned"]
nodes = [3, 6, 12]
latency = ["1ms", "5ms"]
)";

TEST(SweepSpec, ParsesTheIssuesExampleAsWritten)
{
  const Spec spec = parse(kIssueExample);
  EXPECT_EQ(spec.name, "latency-vs-nodes");
  EXPECT_EQ(spec.combine, Combine::product);
  EXPECT_EQ(spec.seeds, (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(spec.fixed, (std::vector<Param>{{"ops", "5000"}, {"rf", "3"}, {"write-concern", "majority"}}));
  ASSERT_EQ(spec.axes.size(), 3u);
  EXPECT_EQ(spec.axes[0].flag, "model");
  EXPECT_EQ(spec.axes[0].values, (std::vector<std::string>{"leader-follower", "partitioned"}));
  EXPECT_EQ(spec.axes[1].flag, "nodes");
  EXPECT_EQ(spec.axes[1].values, (std::vector<std::string>{"3", "6", "12"}));
  EXPECT_EQ(spec.axes[2].flag, "latency");
  EXPECT_EQ(spec.axes[2].values, (std::vector<std::string>{"1ms", "5ms"}));
}

TEST(SweepSpec, KeepsTheFilesOrderNotTheAlphabets)
{
  const Spec spec = parse("[fixed]\nrf = 3\nclients = 2\nacks = \"1\"\n[axes]\nnodes = [3]\nkeys = [10]\n");
  EXPECT_EQ(spec.fixed, (std::vector<Param>{{"rf", "3"}, {"clients", "2"}, {"acks", "1"}}));
  EXPECT_EQ(spec.axes[0].flag, "nodes");
  EXPECT_EQ(spec.axes[1].flag, "keys");
}

TEST(SweepSpec, NumbersAndBooleansReachTheRunAsWritten)
{
  const Spec spec = parse("[axes]\nread-ratio = [0.5, 0.25, 1e-1, 1.0, 1_000.5]\nrate = [0, 2_000]\n");
  EXPECT_EQ(spec.axes[0].values, (std::vector<std::string>{"0.5", "0.25", "1e-1", "1.0", "1000.5"}));
  EXPECT_EQ(spec.axes[1].values, (std::vector<std::string>{"0", "2000"}));
  EXPECT_EQ(parse("[fixed]\nkey-dist = true\n").fixed[0].value, "true");  // the run judges the value
}

TEST(SweepSpec, SweepTableIsOptional)
{
  const Spec spec = parse("[axes]\nnodes = [3, 6]\n");
  EXPECT_EQ(spec.combine, Combine::product);
  EXPECT_EQ(spec.seeds, (std::vector<std::uint64_t>{1}));
  EXPECT_TRUE(spec.fixed.empty());
}

TEST(SweepSpec, ZipOfEqualAxesIsFine)
{
  const Spec spec = parse("[sweep]\ncombine = \"zip\"\n[axes]\nnodes = [3, 6]\nrf = [1, 3]\n");
  EXPECT_EQ(spec.combine, Combine::zip);
}

TEST(SweepSpec, UnknownAxisKeyNamesKeyAndLine)
{
  expect_error("[sweep]\nseeds = [1]\n[axes]\nnodez = [3, 6]\n", "spec.toml:4: ", "axes.nodez");
}

TEST(SweepSpec, UnknownFixedKeyNamesKeyAndLine)
{
  expect_error("[fixed]\nops = 5\nfrobnicate = 3\n", "spec.toml:3: ", "fixed.frobnicate");
}

TEST(SweepSpec, UnderscoreSpellingSuggestsTheFlag)
{
  const std::string error = error_of("[fixed]\nwrite_concern = \"all\"\n");
  EXPECT_NE(error.find("spec.toml:2: fixed.write_concern"), std::string::npos) << error;
  EXPECT_NE(error.find("write-concern"), std::string::npos) << error;
}

TEST(SweepSpec, NonArrayAxisIsAnError) { expect_error("[axes]\nnodes = [3]\nrf = 3\n", "spec.toml:3: ", "axes.rf"); }

TEST(SweepSpec, EmptyAxisIsAnError) { expect_error("[axes]\n\nnodes = []\n", "spec.toml:3: ", "axes.nodes"); }

TEST(SweepSpec, ZipAxesOfUnequalLengthAreAnError)
{
  expect_error("[sweep]\ncombine = \"zip\"\n[axes]\nnodes = [3, 6]\nrf = [1, 2, 3]\n", "spec.toml:5: ", "axes.rf");
}

TEST(SweepSpec, EmptySeedsAreAnError) { expect_error("[sweep]\nname = \"x\"\nseeds = []\n", "spec.toml:3: ", "sweep.seeds"); }

TEST(SweepSpec, BadSeedsAreAnError)
{
  expect_error("[sweep]\nseeds = [1, -2]\n", "spec.toml:2: ", "sweep.seeds");
  expect_error("[sweep]\nseeds = [1, 1]\n", "spec.toml:2: ", "sweep.seeds");
  expect_error("[sweep]\nseeds = 3\n", "spec.toml:2: ", "sweep.seeds");
}

TEST(SweepSpec, BadCombineIsAnError)
{
  expect_error("[sweep]\n\ncombine = \"cartesian\"\n", "spec.toml:3: ", "sweep.combine");
  expect_error("[sweep]\ncombine = 2\n", "spec.toml:2: ", "sweep.combine");
}

TEST(SweepSpec, UnknownSweepKeyIsAnError) { expect_error("[sweep]\nrepeats = 3\n", "spec.toml:2: ", "sweep.repeats"); }

TEST(SweepSpec, UnknownTableIsAnError) { expect_error("[axes]\nnodes = [3]\n[axis]\nrf = [1]\n", "spec.toml:3: ", "axis"); }

TEST(SweepSpec, FlagsTheSweepSetsAreRefused)
{
  expect_error("[fixed]\nseed = 3\n", "spec.toml:2: ", "fixed.seed");
  expect_error("[axes]\nout = [\"a\", \"b\"]\n", "spec.toml:2: ", "axes.out");
  expect_error("[fixed]\nroles-dot = \"r.dot\"\n", "spec.toml:2: ", "fixed.roles-dot");
}

TEST(SweepSpec, AListUnderFixedIsAnError) { expect_error("[fixed]\nnodes = [3, 6]\n", "spec.toml:2: ", "fixed.nodes"); }

TEST(SweepSpec, AKeyBothFixedAndAnAxisIsAnError)
{
  expect_error("[fixed]\nnodes = 3\n[axes]\nnodes = [3, 6]\n", "spec.toml:4: ", "axes.nodes");
}

TEST(SweepSpec, TomlSyntaxErrorNamesTheLine) { expect_error("[axes]\nnodes = [3,\nrf = \n", "spec.toml:3: ", ""); }

TEST(SweepSpec, UnreadableFileNamesIt)
{
  try {
    read_spec_file("/nonexistent/spec.toml", run_flags());
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/spec.toml"), std::string::npos);
  }
}

// An axis `flag = [1, 2, ..., count]`, for specs of a given size.
std::string axis_line(const std::string& flag, std::size_t count)
{
  std::string line = flag + " = [";
  for (std::size_t i = 1; i <= count; ++i)
    line += std::to_string(i) + (i < count ? ", " : "]\n");
  return line;
}

// A Spec of axes with these lengths, built directly: counted, never expanded.
Spec of_lengths(Combine combine, const std::vector<std::size_t>& lengths, std::size_t seeds)
{
  Spec spec;
  spec.combine = combine;
  for (std::size_t a = 0; a < lengths.size(); ++a)
    spec.axes.push_back({"axis" + std::to_string(a), std::vector<std::string>(lengths[a], "v")});
  spec.seeds.clear();
  for (std::size_t s = 0; s < seeds; ++s)
    spec.seeds.push_back(s);
  return spec;
}

TEST(SweepSpec, JobCountIsTheProductOfAxisLengthsTimesSeeds)
{
  // 10^12 points: expanding them would take terabytes; counting takes nothing.
  const Spec tera = of_lengths(Combine::product, {1000, 1000, 1000, 1000}, 3);
  EXPECT_EQ(point_count(tera), 1'000'000'000'000u);
  EXPECT_EQ(job_count(tera), 3'000'000'000'000u);
  EXPECT_EQ(job_count(of_lengths(Combine::product, {2, 3, 5}, 7)), 210u);
  EXPECT_EQ(job_count(of_lengths(Combine::product, {4}, 1)), 4u);
}

TEST(SweepSpec, ZipJobCountIsTheCommonLengthTimesSeeds)
{
  EXPECT_EQ(point_count(of_lengths(Combine::zip, {1000, 1000, 1000}, 4)), 1000u);
  EXPECT_EQ(job_count(of_lengths(Combine::zip, {1000, 1000, 1000}, 4)), 4000u);
}

TEST(SweepSpec, NoAxesIsOnePointPerSeed)
{
  EXPECT_EQ(job_count(of_lengths(Combine::product, {}, 5)), 5u);
  EXPECT_EQ(job_count(of_lengths(Combine::zip, {}, 2)), 2u);
}

TEST(SweepSpec, JobCountsPastSixtyFourBitsAreNone)
{
  EXPECT_EQ(point_count(of_lengths(Combine::product, {1000, 1000, 1000, 1000, 1000, 1000, 1000}, 1)), std::nullopt);
  // Exactly 2^64: a wrapping count says 0, and a sweep of "0 jobs" exits 0.
  EXPECT_EQ(job_count(of_lengths(Combine::product, std::vector<std::size_t>(8, 256), 1)), std::nullopt);
  // The points fit (10^18); times the seeds they do not.
  EXPECT_EQ(point_count(of_lengths(Combine::product, std::vector<std::size_t>(6, 1000), 100)),
            1'000'000'000'000'000'000u);
  EXPECT_EQ(job_count(of_lengths(Combine::product, std::vector<std::size_t>(6, 1000), 100)), std::nullopt);
}

TEST(SweepSpec, AMillionJobsIsAllowedOneMoreIsNot)
{
  const std::string million = "[axes]\n" + axis_line("ops", 100) + axis_line("clients", 100) + axis_line("keys", 100);
  EXPECT_EQ(job_count(parse(million)), kMaxJobs);
  // 1,000,001 = 101 x 9901.
  EXPECT_EQ(error_of("[axes]\n" + axis_line("ops", 101) + axis_line("keys", 9901)),
            "spec.toml: 1,000,001 jobs (2 axes of 101 × 9,901 values × 1 seed) is more than the 1,000,000 a sweep may run");
}

TEST(SweepSpec, AHugeProductIsRefusedNamingTheFile)
{
  std::string text = "[sweep]\nseeds = [1, 2]\n[axes]\n";
  for (const char* flag : {"ops", "clients", "keys", "rf"})
    text += axis_line(flag, 1000);
  EXPECT_EQ(error_of(text), "spec.toml: 2,000,000,000,000 jobs (4 axes of 1,000 × 1,000 × 1,000 × 1,000 values × 2 "
                            "seeds) is more than the 1,000,000 a sweep may run");
}

TEST(SweepSpec, AnOverflowingProductIsRefused)
{
  std::string text = "[axes]\n";
  for (const char* flag : {"ops", "clients", "keys", "rf", "nodes", "units", "leaders", "vnodes"})
    text += axis_line(flag, 256);
  expect_error(text, "spec.toml: more jobs than a 64-bit count holds (8 axes of 256 × 256", "at most 1,000,000");
}

TEST(SweepSpec, AZipOverTheBoundNamesItsAxesAndSeeds)
{
  std::string seeds = "[";
  for (int s = 0; s < 1001; ++s)
    seeds += std::to_string(s) + (s < 1000 ? ", " : "]");
  EXPECT_EQ(error_of("[sweep]\ncombine = \"zip\"\nseeds = " + seeds + "\n[axes]\n" + axis_line("ops", 1000) +
                     axis_line("keys", 1000)),
            "spec.toml: 1,001,000 jobs (2 zipped axes of 1,000 values × 1,001 seeds) is more than the 1,000,000 a "
            "sweep may run");
}

class SweepSpecFile : public replisim::test::ScratchDirTest {
protected:
  // The one-line message of the SpecError reading `path` throws ("" if none).
  std::string read_error(const std::filesystem::path& path)
  {
    try {
      read_spec_file(path.string(), run_flags());
    } catch (const SpecError& e) {
      return e.what();
    }
    return "";
  }

  std::filesystem::path write(const std::string& name, const std::string& bytes)
  {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
    return dir_ / name;
  }
};

TEST_F(SweepSpecFile, ADirectoryIsNotASpec)
{
  // An ifstream reads a directory as empty: it would run one job of defaults.
  EXPECT_EQ(read_error(dir_), dir_.string() + ": is a directory, not a sweep spec (a TOML file)");
}

TEST_F(SweepSpecFile, AMissingFileIsNamed)
{
  EXPECT_EQ(read_error(dir_ / "nope.toml"), (dir_ / "nope.toml").string() + ": no such file (the sweep spec, a TOML file)");
}

TEST_F(SweepSpecFile, AFileThatIsNotTomlIsRefusedOnOneLine)
{
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"table.csv", "model,nodes\nleader-follower,3\n"},
           {"image.toml", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)},
           {"control.toml", "[fixed]\nops = \x01\n"},
           {"line\nbreak.toml", "not toml\n"}}) {
    const std::filesystem::path path = write(name, bytes);
    const std::string error = read_error(path);
    EXPECT_NE(error, "") << name;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    EXPECT_EQ(error.find('\r'), std::string::npos) << error;
    EXPECT_NE(error.find(dir_.string()), std::string::npos) << error;
  }
}

TEST(SweepSpec, EveryRunFlagIsAKey)
{
  // New run flags work in specs without touching the sweep.
  for (const std::string& flag : run_flags()) {
    if (flag == "seed" || flag == "out" || flag == "roles-dot" || flag == "help")
      continue;
    EXPECT_EQ(error_of("[axes]\n" + flag + " = [\"x\"]\n"), "") << flag;
  }
}

}  // namespace spec_test
