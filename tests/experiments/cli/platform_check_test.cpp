// Platforms and SimGrid options SimGrid itself would abort on (a backtrace,
// exit 134), hang on, or answer with pages of text: each is one line naming
// the file or the option, exit 2, nothing written. Every platform here is a
// mutation of tests/data/known_latencies.xml.
#include "support/bad_input.hpp"


#include <fmt/format.h>

namespace platform_check_test {

using replisim::test::slurp;
namespace fs = std::filesystem;

class PlatformCheck : public replisim::test::BadInputTest {
protected:
  // known_latencies.xml with `from` replaced by `to` (which must occur), in a
  // file beside the scratch directory.
  std::string mutated(const std::string& from, const std::string& to)
  {
    std::string xml = slurp(fs::path(REPLISIM_TEST_DATA) / "known_latencies.xml");
    const auto at = xml.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos)
      xml.replace(at, from.size(), to);
    const fs::path file = dir_.string() + "-platform.xml";
    std::ofstream(file) << xml;
    files_.push_back(file);
    return file.string();
  }
  void TearDown() override
  {
    for (const auto& f : files_)
      fs::remove(f);
    BadInputTest::TearDown();
  }
  std::vector<fs::path> files_;
};

constexpr const char* kRun = "run --ops 20 --write-concern 1";

TEST_F(PlatformCheck, ADirectoryIsNamed)
{
  expect_bad_input(fmt::format("{} --platform {}", kRun, REPLISIM_TEST_DATA), "is a directory");
}

TEST_F(PlatformCheck, AnUnsupportedVersionIsNamedWithItsLine)
{
  for (const char* version : {"5.0", "3.0", "abc", ""}) {
    const std::string file = mutated("version=\"4.1\"", fmt::format("version=\"{}\"", version));
    expect_bad_input(fmt::format("{} --platform {}", kRun, file), file + "':7: version");
  }
}

TEST_F(PlatformCheck, ANodeThatCannotReachAnotherIsNamed)
{
  const std::string file = mutated(R"(<route src="n2" dst="center"><link_ctn id="n2-link"/></route>)", "");
  expect_bad_input(fmt::format("{} --platform {}", kRun, file), "cannot reach");
  expect_bad_input(fmt::format("{} --platform {}", kRun, file), "'n2'");
}

TEST_F(PlatformCheck, AClientThatCannotReachANodeIsNamed)
{
  const std::string file = mutated(R"(<route src="client0" dst="center"><link_ctn id="client0-link"/></route>)", "");
  expect_bad_input(fmt::format("{} --platform {}", kRun, file), "client host 'client0' cannot reach");
}

// A Full zone without a route between two hosts: SimGrid aborted mid-run.
TEST_F(PlatformCheck, AnEmptyRouteIsNoRoute)
{
  const std::string file = mutated(R"(routing="Floyd")", R"(routing="Full")");
  expect_bad_input(fmt::format("{} --platform {}", kRun, file), "cannot reach");
}

TEST_F(PlatformCheck, LinksNeedAPositiveFiniteBandwidthAndAFiniteLatency)
{
  expect_bad_input(fmt::format("{} --platform {}", kRun, mutated(R"(bandwidth="100GBps" latency="3ms")",
                                                                 R"(bandwidth="0Bps" latency="3ms")")),
                   "link 'n1-link' has bandwidth 0");
  expect_bad_input(fmt::format("{} --platform {}", kRun, mutated(R"(latency="3ms")", R"(latency="-3ms")")),
                   "link 'n1-link' has latency");
  expect_bad_input(fmt::format("{} --platform {}", kRun, mutated(R"(latency="3ms")", R"(latency="infms")")),
                   "link 'n1-link' has latency");
  expect_bad_input(fmt::format("{} --platform {}", kRun, mutated(R"(latency="3ms")", R"(latency="2000000s")")),
                   "more than a day");
}

// Each of these ended in xbt_die: exit 134 and a backtrace.
TEST_F(PlatformCheck, WhatSimGridAbortsOnIsOneLine)
{
  const std::pair<const char*, const char*> cases[] = {
      {R"(routing="Floyd")", R"(routing="Bogus")"},
      {R"(<router id="center"/>)", R"(<router id="center"/><include file="x.xml"/>)"},
      {R"(<link id="n1-link")", R"(<link id="n0-link")"},
      {R"(<host id="n1" speed="1Gf">)", R"(<host id="n1" speed="1Gf" core="0">)"},
      {R"(<route src="n0" dst="center">)",
       R"(<route src="n0" dst="center"><link_ctn id="n0-link"/></route><route src="n0" dst="center">)"},
  };
  for (const auto& [from, to] : cases)
    expect_bad_input(fmt::format("{} --platform {}", kRun, mutated(from, to)), "-platform.xml'");
}

TEST_F(PlatformCheck, BadSimGridOptionsAreNamed)
{
  expect_bad_input(fmt::format("{} --cfg=foo:bar", kRun), "--cfg=foo:bar: Bad config key");
  expect_bad_input(fmt::format("{} --cfg=network/model:XX", kRun), "--cfg=network/model:XX");
  expect_bad_input(fmt::format("{} --cfg=contexts/factory:bogus", kRun), "--cfg=contexts/factory:bogus");
  expect_bad_input(fmt::format("{} --cfg=contexts/stack-size:abc", kRun), "--cfg=contexts/stack-size:abc");
  expect_bad_input(fmt::format("{} --log=foo", kRun), "--log=foo");
  expect_bad_input(fmt::format("{} --log=root.thres:blah", kRun), "--log=root.thres:blah");
  expect_refused(replisim("sweep nothing.toml --out x --cfg=foo:bar"), "--cfg=foo:bar");
  EXPECT_FALSE(fs::exists("x"));
}

TEST_F(PlatformCheck, GoodSimGridOptionsStillRun)
{
  const replisim::test::CommandResult r = replisim(fmt::format("{} --cfg=network/model:LV08 --log=root.thres:critical", kRun));
  EXPECT_EQ(r.status, 0) << r.err;
}

// Node 0 to every host and back on a generated star of 10,000 nodes: one
// missing route among 20,000 is found and named. (Its speed is benchmarked,
// not timed here.)
TEST_F(PlatformCheck, ALargePlatformIsCheckedRouteByRoute)
{
  const replisim::test::CommandResult xml = replisim("platform --nodes 10000 --clients 100");
  ASSERT_EQ(xml.status, 0);
  const fs::path file = dir_.string() + "-platform.xml";
  files_.push_back(file);
  std::ofstream(file) << xml.out;
  const replisim::test::CommandResult r = replisim(fmt::format("placement --platform {}", file.string()));
  EXPECT_EQ(r.status, 0) << r.err;
  std::string broken = xml.out;
  const std::string route = R"(<route src="node5000" dst="center"><link_ctn id="node5000-link"/></route>)";
  ASSERT_NE(broken.find(route), std::string::npos);
  broken.erase(broken.find(route), route.size());
  std::ofstream(file) << broken;
  expect_bad_input(fmt::format("placement --platform {}", file.string()), "'node5000'");
}

}  // namespace platform_check_test
