// Sweep specs: a good spec parsed as written, and each kind of bad spec
// refused with one line naming the file, the line and the key.
#include <gtest/gtest.h>

#include <algorithm>

#include "experiments/cli.hpp"
#include "experiments/sweep/commands.hpp"
#include "experiments/sweep/spec.hpp"

using namespace replisim;
using namespace replisim::sweep;

namespace {

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

TEST(SweepSpec, EveryRunFlagIsAKey)
{
  // New run flags work in specs without touching the sweep.
  for (const std::string& flag : run_flags()) {
    if (flag == "seed" || flag == "out" || flag == "roles-dot" || flag == "help")
      continue;
    EXPECT_EQ(error_of("[axes]\n" + flag + " = [\"x\"]\n"), "") << flag;
  }
}

}  // namespace
