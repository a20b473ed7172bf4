// Durations and bandwidths as users type them on the command line.
#include "experiments/core/flag_value.hpp"

#include <functional>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace replisim {
namespace flag_value_test {

// The message of the invalid_argument `parse` throws, or "" with a failure if none.
std::string error_of(const std::function<double()>& parse)
{
  try {
    const double value = parse();
    ADD_FAILURE() << "parsed to " << value << " instead of failing";
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(ParseDuration, MillisecondsAreThousandthsOfASecond)
{
  EXPECT_DOUBLE_EQ(parse_duration("5ms", "--latency"), 0.005);
  EXPECT_DOUBLE_EQ(parse_duration("12.5ms", "--latency"), 0.0125);
}

TEST(ParseDuration, MicrosecondsAndNanoseconds)
{
  EXPECT_DOUBLE_EQ(parse_duration("250us", "--latency"), 250e-6);
  EXPECT_DOUBLE_EQ(parse_duration("100ns", "--latency"), 100e-9);
}

TEST(ParseDuration, SecondsAreTakenAsIs)
{
  EXPECT_EQ(parse_duration("1.5s", "--timeout"), 1.5);
}

TEST(ParseDuration, BareNumberIsMilliseconds)
{
  EXPECT_DOUBLE_EQ(parse_duration("7", "--latency"), 0.007);
}

TEST(ParseDuration, ZeroIsAllowed)
{
  EXPECT_EQ(parse_duration("0ms", "--latency"), 0.0);
  EXPECT_EQ(parse_duration("0", "--latency"), 0.0);
}

TEST(ParseDuration, NegativeIsAnErrorNamingTheFlagAndTheText)
{
  const std::string message = error_of([] { return parse_duration("-5ms", "--inter-dc-latency"); });
  EXPECT_TRUE(contains(message, "--inter-dc-latency")) << message;
  EXPECT_TRUE(contains(message, "-5ms")) << message;
  EXPECT_TRUE(contains(message, "negative")) << message;
}

TEST(ParseDuration, UnknownUnitIsAnErrorNamingTheFlagAndTheUnit)
{
  const std::string message = error_of([] { return parse_duration("5xs", "--latency"); });
  EXPECT_TRUE(contains(message, "--latency")) << message;
  EXPECT_TRUE(contains(message, "'xs'")) << message;
}

TEST(ParseDuration, EmptyTextIsAnErrorNamingTheFlag)
{
  const std::string message = error_of([] { return parse_duration("", "--latency"); });
  EXPECT_TRUE(contains(message, "--latency")) << message;
}

TEST(ParseDuration, TextWithoutANumberIsAnError)
{
  for (const char* bad : {"ms", "fast", " 5ms", "+5ms", "nan", "inf"}) {
    const std::string message = error_of([&] { return parse_duration(bad, "--latency"); });
    EXPECT_TRUE(contains(message, "--latency")) << bad << ": " << message;
  }
}

TEST(ParseDuration, UnitsAreCaseSensitive)
{
  // "5MS" could be read as megaseconds; refuse rather than guess.
  EXPECT_THROW(parse_duration("5MS", "--latency"), std::invalid_argument);
  EXPECT_THROW(parse_duration("5 ms", "--latency"), std::invalid_argument);
}

TEST(ParseBandwidth, GigabitsPerSecondAreBytesOverEight)
{
  EXPECT_EQ(parse_bandwidth("1Gbps", "--bandwidth"), 125e6);
  EXPECT_EQ(parse_bandwidth("100Mbps", "--bandwidth"), 12.5e6);
}

TEST(ParseBandwidth, CapitalBMeansBytes)
{
  EXPECT_EQ(parse_bandwidth("125MBps", "--bandwidth"), 125e6);
  EXPECT_EQ(parse_bandwidth("2GBps", "--bandwidth"), 2e9);
}

TEST(ParseBandwidth, KilobitsPerSecond)
{
  EXPECT_EQ(parse_bandwidth("10kbps", "--bandwidth"), 1250.0);
}

TEST(ParseBandwidth, ZeroIsAnErrorNamingTheFlag)
{
  const std::string message = error_of([] { return parse_bandwidth("0Gbps", "--bandwidth"); });
  EXPECT_TRUE(contains(message, "--bandwidth")) << message;
  EXPECT_TRUE(contains(message, "0Gbps")) << message;
}

TEST(ParseBandwidth, NegativeIsAnErrorNamingTheFlag)
{
  const std::string message = error_of([] { return parse_bandwidth("-1Gbps", "--bandwidth"); });
  EXPECT_TRUE(contains(message, "--bandwidth")) << message;
  EXPECT_TRUE(contains(message, "-1Gbps")) << message;
}

TEST(ParseBandwidth, UnknownUnitIsAnErrorNamingTheFlag)
{
  for (const char* bad : {"1Gbit", "1gbps", "1GBPS", "1", "1 Gbps"}) {
    const std::string message = error_of([&] { return parse_bandwidth(bad, "--bandwidth"); });
    EXPECT_TRUE(contains(message, "--bandwidth")) << bad << ": " << message;
    EXPECT_TRUE(contains(message, bad)) << bad << ": " << message;
  }
}

}  // namespace flag_value_test
// Protocols name a setting in their own terms; the configuration layer names
// the flag the user typed.
TEST(FlagOf, EveryProtocolSettingNamesItsRunFlag)
{
  EXPECT_EQ(flag_of(Setting::nodes), "--nodes");
  EXPECT_EQ(flag_of(Setting::vnodes), "--vnodes");
  EXPECT_EQ(flag_of(Setting::rf), "--rf");
  EXPECT_EQ(flag_of(Setting::units), "--units");
  EXPECT_EQ(flag_of(Setting::start_index), "--start-index");
  EXPECT_EQ(flag_of(Setting::keys), "--keys");
  EXPECT_EQ(flag_of(Setting::concurrency), "--concurrency");
  EXPECT_EQ(flag_of(Setting::rate), "--rate");
  EXPECT_EQ(flag_of(Setting::retries), "--retries");
  EXPECT_EQ(flag_of(Setting::retry_backoff), "--retry-backoff");
  EXPECT_EQ(flag_of(Setting::ops), "--ops");
  EXPECT_EQ(flag_of(Setting::down), "--down");
}

TEST(FlagMessage, PutsTheFlagBeforeTheProtocolsReason)
{
  EXPECT_EQ(flag_message(SettingError(Setting::rf, "zone 0 has 2 nodes, fewer than rf 3")),
            "--rf: zone 0 has 2 nodes, fewer than rf 3");
  try {
    naming_flags([]() -> int { throw SettingError(Setting::start_index, "7 is outside [0, 6)"); });
    ADD_FAILURE() << "nothing thrown";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "--start-index: 7 is outside [0, 6)");
  }
}

}  // namespace replisim
