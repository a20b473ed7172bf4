// Delay laws and the per-message-kind delay model behind --delay KIND=DIST.
//
// Statistical checks draw N = 100,000 samples from a fixed seed, so they are
// deterministic; each tolerance is 5 standard errors of the statistic, wide
// enough that any correct conversion would pass for all but about one seed in
// a million (two-sided normal tail at 5 sigma: 6e-7), and far narrower than
// the gap a wrong formula (swapped parameters, ms taken as s, a missing square)
// would open.
#include "experiments/core/delay_grammar.hpp"
#include "protocols/common/delay.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "protocols/common/rng.hpp"

namespace replisim {
namespace delay_test {

constexpr int kDraws = 100'000;

// The message of the invalid_argument `action` throws, or "" with a failure if none.
std::string error_of(const std::function<void()>& action)
{
  try {
    action();
    ADD_FAILURE() << "accepted instead of failing";
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// `count` samples of `text`, in milliseconds.
std::vector<double> draw_ms(const std::string& text, std::uint64_t seed, int count = kDraws)
{
  const Delay delay = parse_delay(text);
  Rng rng(seed);
  std::vector<double> samples(count);
  for (double& s : samples)
    s = delay.sample(rng) * 1e3;
  return samples;
}

double mean_of(const std::vector<double>& xs)
{
  double sum = 0;
  for (double x : xs)
    sum += x;
  return sum / static_cast<double>(xs.size());
}

double variance_of(const std::vector<double>& xs)
{
  const double m = mean_of(xs);
  double sum = 0;
  for (double x : xs)
    sum += (x - m) * (x - m);
  return sum / static_cast<double>(xs.size() - 1);
}

double median_of(std::vector<double> xs)
{
  auto middle = xs.begin() + static_cast<std::ptrdiff_t>(xs.size() / 2);
  std::nth_element(xs.begin(), middle, xs.end());
  return *middle;
}

double fraction_above(const std::vector<double>& xs, double threshold)
{
  const auto n = std::count_if(xs.begin(), xs.end(), [&](double x) { return x > threshold; });
  return static_cast<double>(n) / static_cast<double>(xs.size());
}

// ---- Parsing ---------------------------------------------------------------

TEST(Delay, ParsesEveryFamilyWithItsMean)
{
  EXPECT_DOUBLE_EQ(parse_delay("const:2ms").mean(), 0.002);
  EXPECT_DOUBLE_EQ(parse_delay("uniform:1ms:5ms").mean(), 0.003);
  EXPECT_DOUBLE_EQ(parse_delay("exp:1ms").mean(), 0.001);
  // E[exp(MU + SIGMA Z)] = exp(MU + SIGMA^2 / 2), in ms.
  EXPECT_DOUBLE_EQ(parse_delay("lognormal:-1:0.5").mean(), std::exp(-1 + 0.125) / 1e3);
  // Pareto: ALPHA XM / (ALPHA - 1).
  EXPECT_DOUBLE_EQ(parse_delay("pareto:0.2ms:10").mean(), 10 * 0.0002 / 9);
}

TEST(Delay, KeepsTheTextAsGiven)
{
  EXPECT_EQ(parse_delay("mix:0.9*pareto:0.2ms:10+0.1*exp:0.6ms").text(), "mix:0.9*pareto:0.2ms:10+0.1*exp:0.6ms");
}

TEST(Delay, TimesAreMillisecondsUnlessAUnitIsGiven)
{
  EXPECT_DOUBLE_EQ(parse_delay("const:2").mean(), 0.002);
  EXPECT_DOUBLE_EQ(parse_delay("const:2ms").mean(), 0.002);
  EXPECT_DOUBLE_EQ(parse_delay("const:250us").mean(), 250e-6);
  EXPECT_DOUBLE_EQ(parse_delay("const:100ns").mean(), 100e-9);
  EXPECT_DOUBLE_EQ(parse_delay("const:1.5s").mean(), 1.5);
  EXPECT_DOUBLE_EQ(parse_delay("exp:1e-3s").mean(), 0.001);
}

TEST(Delay, ZeroDelaysAndAZeroWidthUniformAreAllowed)
{
  EXPECT_EQ(parse_delay("const:0").mean(), 0.0);
  EXPECT_EQ(parse_delay("exp:0ms").mean(), 0.0);
  EXPECT_DOUBLE_EQ(parse_delay("uniform:3ms:3ms").mean(), 0.003);
  EXPECT_DOUBLE_EQ(parse_delay("lognormal:0:0").mean(), 0.001);
}

TEST(Delay, ParetoWithAlphaAtMostOneHasNoMean)
{
  EXPECT_EQ(parse_delay("pareto:1ms:1").mean(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(parse_delay("pareto:1ms:0.5").mean(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(parse_delay("mix:0.5*const:1ms+0.5*pareto:1ms:0.8").mean(), std::numeric_limits<double>::infinity());
}

TEST(Delay, MixWeightsNeedOnlySumToOneWithinRounding)
{
  // 0.7 + 0.2 + 0.1 is 0.9999999999999999 in doubles: inside the 1e-9 allowance.
  EXPECT_DOUBLE_EQ(parse_delay("mix:0.7*const:1ms+0.2*const:2ms+0.1*const:3ms").mean(), 0.0014);
  // An exponent's '+' is not a component separator.
  EXPECT_DOUBLE_EQ(parse_delay("mix:0.5*const:1e+0ms+0.5*const:3ms").mean(), 0.002);
}

TEST(Delay, RejectsBadTextsWithAOneLineMessageNamingTheFlagAndQuotingTheText)
{
  const char* bad[] = {
      "",                                      // empty
      "const",                                 // no parameter
      "const:",                                // empty parameter
      "const:-2ms",                            // negative duration
      "const:2xs",                             // unknown unit
      "const:nan",                             // not a number
      "const:inf",                             // not finite
      "const:2ms:3ms",                         // trailing junk
      "const:2ms ",                            // trailing space
      "CONST:2ms",                             // families are lower case
      "gamma:1ms:2",                           // unknown family
      "uniform:1ms",                           // one bound
      "uniform:5ms:1ms",                       // hi < lo
      "uniform:-1ms:1ms",                      // negative lo
      "exp:-1ms",                              // negative mean
      "exp:1ms:2ms",                           // trailing junk
      "lognormal:0",                           // no sigma
      "lognormal:0:-1",                        // sigma < 0
      "lognormal:0ms:1",                       // MU is of ln ms: no unit
      "lognormal:0:1:2",                       // trailing junk
      "lognormal:1000:1",                      // overflows
      "pareto:0ms:2",                          // xm <= 0
      "pareto:1ms:0",                          // alpha <= 0
      "pareto:1ms:-2",                         // alpha <= 0
      "pareto:1ms:0.01",                       // 2^(53/0.01) overflows
      "pareto:1ms:2x",                         // alpha with junk
      "mix",                                   // no components
      "mix:",                                  // no components
      "mix:exp:1ms",                           // no weight
      "mix:0.5*exp:1ms+0.4*exp:2ms",           // sum 0.9
      "mix:0.5*exp:1ms+0.6*exp:2ms",           // sum 1.1
      "mix:0*exp:1ms+1*exp:2ms",               // zero weight
      "mix:-0.5*exp:1ms+1.5*exp:2ms",          // negative weight
      "mix:0.5*exp:1ms+",                      // empty component
      "mix:0.5*exp:1ms+0.5*",                  // empty distribution
      "mix:1*mix:1*exp:1ms",                   // nested mix
      "mix:0.5*exp:-1ms+0.5*exp:1ms",          // bad component
      "mix:0.5x*exp:1ms+0.5*exp:1ms",          // junk in a weight
  };
  for (const char* text : bad) {
    const std::string message = error_of([&] { parse_delay(text); });
    EXPECT_TRUE(contains(message, "--delay")) << text << " -> " << message;
    EXPECT_TRUE(contains(message, "'" + std::string(text) + "'")) << text << " -> " << message;
    EXPECT_FALSE(contains(message, "\n")) << text << " -> " << message;
  }
}

TEST(Delay, MessagesSayWhatIsWrong)
{
  EXPECT_TRUE(contains(error_of([] { parse_delay("uniform:5ms:1ms"); }), "below"));
  EXPECT_TRUE(contains(error_of([] { parse_delay("gamma:1ms"); }), "unknown distribution 'gamma'"));
  EXPECT_TRUE(contains(error_of([] { parse_delay("const:-2ms"); }), "negative"));
  EXPECT_TRUE(contains(error_of([] { parse_delay("mix:0.5*exp:1ms+0.4*exp:2ms"); }), "sum to 0.9"));
}

// ---- Sampling ---------------------------------------------------------------

TEST(Delay, ConstIsExactAndDrawsNothing)
{
  const Delay delay = parse_delay("const:2ms");
  Rng rng(1), untouched(1);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(delay.sample(rng), 0.002);
  EXPECT_EQ(rng.next(), untouched.next());
}

TEST(Delay, UniformStaysWithinItsBoundsAndCentresOnTheirMidpoint)
{
  const std::vector<double> xs = draw_ms("uniform:1ms:5ms", 11);
  for (double x : xs) {
    ASSERT_GE(x, 1.0);
    ASSERT_LE(x, 5.0);
  }
  // SD of U[1, 5] is 4 / sqrt(12) = 1.155 ms; SE of the mean = 1.155 / sqrt(1e5)
  // = 0.00365 ms; 5 SE = 0.018 ms. (A wrong lo + hi·u would centre on 3.5 ms.)
  EXPECT_NEAR(mean_of(xs), 3.0, 0.018);
  // Both ends are reached: the extreme 1% on each side is populated.
  EXPECT_LT(*std::min_element(xs.begin(), xs.end()), 1.04);
  EXPECT_GT(*std::max_element(xs.begin(), xs.end()), 4.96);
}

TEST(Delay, ExponentialHasItsMeanAndTheSquareOfItAsVariance)
{
  const std::vector<double> xs = draw_ms("exp:1ms", 12);
  for (double x : xs)
    ASSERT_GE(x, 0.0);
  // Exp(mean 1 ms): SD 1 ms, so SE of the mean = 1 / sqrt(1e5) = 0.00316 ms; 5 SE = 0.016.
  EXPECT_NEAR(mean_of(xs), 1.0, 0.016);
  // The sample variance has variance (mu4 - sigma^4) / N = (9 - 1) / 1e5 for Exp(1)
  // (fourth central moment 9): SE = 0.0089 ms^2; 5 SE = 0.045. A uniform of the same
  // mean would give 1/3, a constant 0.
  EXPECT_NEAR(variance_of(xs), 1.0, 0.045);
}

TEST(Delay, LognormalHasMedianExpMuAndMeanExpMuPlusHalfSigmaSquared)
{
  const double mu = -0.5, sigma = 0.8;
  const std::vector<double> xs = draw_ms("lognormal:-0.5:0.8", 13);
  for (double x : xs)
    ASSERT_GT(x, 0.0);
  // ln X is N(MU, SIGMA^2); its sample median has SE SIGMA sqrt(pi / 2) / sqrt(N)
  // = 0.8 · 1.2533 / 316.2 = 0.00317, so 5 SE = 0.0159 on the log scale.
  EXPECT_NEAR(std::log(median_of(xs)), mu, 0.0159);
  // Relative SD of a lognormal is sqrt(exp(SIGMA^2) - 1) = 0.947; relative SE of the
  // mean = 0.947 / 316.2 = 0.0030; 5 SE = 1.5%. (Dropping the SIGMA^2 / 2 term would
  // be off by 1 - exp(-0.32) = 27%.)
  const double expected_mean = std::exp(mu + sigma * sigma / 2);
  EXPECT_NEAR(mean_of(xs) / expected_mean, 1.0, 0.015);
  EXPECT_DOUBLE_EQ(parse_delay("lognormal:-0.5:0.8").mean() * 1e3, expected_mean);
}

TEST(Delay, ParetoNeverGoesBelowXmAndHasTailTwoToTheMinusAlpha)
{
  const double xm = 0.2, alpha = 3;
  const std::vector<double> xs = draw_ms("pareto:0.2ms:3", 14);
  for (double x : xs)
    ASSERT_GE(x, xm);
  // P(X > 2 XM) = 2^-ALPHA = 0.125; SE of a proportion sqrt(p (1 - p) / N) = 0.00105;
  // 5 SE = 0.0052. (ALPHA taken as 1 / ALPHA would give 0.79.)
  EXPECT_NEAR(fraction_above(xs, 2 * xm), std::pow(2.0, -alpha), 0.0052);
  // P(X > 4 XM) = 1/64; SE = 0.00039; 5 SE = 0.0020.
  EXPECT_NEAR(fraction_above(xs, 4 * xm), std::pow(4.0, -alpha), 0.0020);
}

TEST(Delay, MixtureMeanIsTheWeightedMeanOfItsComponents)
{
  const Delay mix = parse_delay("mix:0.9*pareto:0.2ms:10+0.1*exp:0.6ms");
  const double expected = 0.9 * parse_delay("pareto:0.2ms:10").mean() + 0.1 * parse_delay("exp:0.6ms").mean();
  EXPECT_DOUBLE_EQ(mix.mean(), expected);
  // In ms: pareto mean 10 · 0.2 / 9 = 0.2222, E[X^2] = 10 · 0.04 / 8 = 0.05; exp mean 0.6,
  // E[X^2] = 2 · 0.36 = 0.72. Mixture mean 0.26, E[X^2] = 0.117, variance 0.0494,
  // SD 0.222; SE of the mean = 0.000703; 5 SE = 0.0035 ms.
  EXPECT_NEAR(mean_of(draw_ms(mix.text(), 15)), expected * 1e3, 0.0035);
}

TEST(Delay, MixturePicksComponentsWithTheirWeights)
{
  // Only the exponential component (weight 0.1) goes below the pareto's XM = 0.2 ms:
  // P(X < 0.2 ms) = 0.1 · (1 - exp(-0.2 / 0.6)) = 0.02835; SE = sqrt(p (1 - p) / N)
  // = 0.00052; 5 SE = 0.0026. Swapped weights would give 0.255.
  const std::vector<double> xs = draw_ms("mix:0.9*pareto:0.2ms:10+0.1*exp:0.6ms", 16);
  const double below = 1 - fraction_above(xs, 0.2 - 1e-12);
  EXPECT_NEAR(below, 0.1 * (1 - std::exp(-0.2 / 0.6)), 0.0026);
}

TEST(Delay, SameSeedGivesTheSameSamplesForEveryFamily)
{
  for (const char* text : {"const:2ms", "uniform:1ms:5ms", "exp:1ms", "lognormal:0:1", "pareto:0.2ms:3",
                           "mix:0.9*pareto:0.2ms:10+0.1*exp:0.6ms"}) {
    EXPECT_EQ(draw_ms(text, 99, 1000), draw_ms(text, 99, 1000)) << text;
    if (std::string(text) != "const:2ms") {
      EXPECT_NE(draw_ms(text, 99, 1000), draw_ms(text, 100, 1000)) << text;
    }
  }
}

TEST(Delay, FirstExponentialSamplesFromSeed42AreFixed)
{
  // Computed by a separate Python transcription of protocols/common/rng.hpp
  // (splitmix64 seeding, xoshiro256**, 53-bit uniform) and -mean · log1p(-u).
  // Exact comparison on purpose: CSVs must be byte-identical across machines.
  const Delay delay = parse_delay("exp:1ms");
  Rng rng(42);
  EXPECT_EQ(delay.sample(rng), 8.758933058341758e-05);
  EXPECT_EQ(delay.sample(rng), 0.0004763923950787724);
  EXPECT_EQ(delay.sample(rng), 0.0011395699518538776);
}

// ---- Message kinds and the model ---------------------------------------------

TEST(MessageKind, ParsesTheFiveKindsAndRoundTrips)
{
  for (MessageKind kind :
       {MessageKind::write, MessageKind::ack, MessageKind::read, MessageKind::response, MessageKind::client})
    EXPECT_EQ(parse_message_kind(to_string(kind)), kind);
  EXPECT_EQ(parse_message_kind("response"), MessageKind::response);
  EXPECT_EQ(to_string(MessageKind::ack), "ack");
}

TEST(MessageKind, RejectsUnknownKindsAndAllWhichIsNotAKind)
{
  for (const char* bad : {"", "all", "writes", "ACK", "reply"})
    EXPECT_TRUE(contains(error_of([&] { parse_message_kind(bad); }), "'" + std::string(bad) + "'")) << bad;
}

TEST(DelayModel, StartsEmptyAndAddsNoDelay)
{
  DelayModel model;
  EXPECT_TRUE(model.empty());
  Rng rng(3);
  EXPECT_EQ(model.sample(MessageKind::write, rng), 0.0);
  add_delay(model, "ack=const:1ms");
  EXPECT_FALSE(model.empty());
}

TEST(DelayModel, ASpecificKindOverridesAllWhateverTheOrder)
{
  DelayModel before, after;
  add_delay(before, "ack=const:1ms");
  add_delay(before, "all=const:5ms");
  add_delay(after, "all=const:5ms");
  add_delay(after, "ack=const:1ms");
  Rng rng(4);
  for (const DelayModel* model : {&before, &after}) {
    EXPECT_EQ(model->sample(MessageKind::ack, rng), 0.001);
    for (MessageKind kind : {MessageKind::write, MessageKind::read, MessageKind::response, MessageKind::client})
      EXPECT_EQ(model->sample(kind, rng), 0.005) << to_string(kind);
  }
}

TEST(DelayModel, ALaterSpecForTheSameKindReplacesTheEarlierOne)
{
  DelayModel model;
  add_delay(model, "write=const:1ms");
  add_delay(model, "write=const:7ms");
  Rng rng(5);
  EXPECT_EQ(model.sample(MessageKind::write, rng), 0.007);
  EXPECT_EQ(model.delay_for(MessageKind::write)->text(), "const:7ms");
}

TEST(DelayModel, AKindWithoutDelayDrawsNothing)
{
  DelayModel model;
  add_delay(model, "ack=exp:1ms");
  Rng rng(6), untouched(6);
  for (MessageKind kind : {MessageKind::write, MessageKind::read, MessageKind::response, MessageKind::client}) {
    EXPECT_EQ(model.sample(kind, rng), 0.0) << to_string(kind);
    EXPECT_EQ(model.delay_for(kind), nullptr) << to_string(kind);
  }
  EXPECT_EQ(rng.next(), untouched.next());
}

TEST(DelayModel, AKindWithDelayDrawsAsItsLawDoes)
{
  DelayModel model;
  add_delay(model, "ack=exp:1ms");
  Rng via_model(7), direct(7);
  const Delay law = parse_delay("exp:1ms");
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(model.sample(MessageKind::ack, via_model), law.sample(direct));
}

TEST(DelayModel, RejectsUnknownKindsNamingTheFlagAndTheKind)
{
  DelayModel model;
  const std::string message = error_of([&] { add_delay(model, "reply=exp:1ms"); });
  EXPECT_TRUE(contains(message, "--delay")) << message;
  EXPECT_TRUE(contains(message, "'reply'")) << message;
  EXPECT_TRUE(model.empty());
}

TEST(DelayModel, RejectsSpecsWithoutKindOrWithABadDistribution)
{
  DelayModel model;
  const std::string no_kind = error_of([&] { add_delay(model, "exp:1ms"); });
  EXPECT_TRUE(contains(no_kind, "--delay")) << no_kind;
  EXPECT_TRUE(contains(no_kind, "'exp:1ms'")) << no_kind;
  EXPECT_TRUE(contains(no_kind, "KIND=DIST")) << no_kind;
  const std::string bad_dist = error_of([&] { add_delay(model, "ack=exp:-1ms"); });
  EXPECT_TRUE(contains(bad_dist, "--delay")) << bad_dist;
  EXPECT_TRUE(contains(bad_dist, "'exp:-1ms'")) << bad_dist;
  const std::string empty_kind = error_of([&] { add_delay(model, "=exp:1ms"); });
  EXPECT_TRUE(contains(empty_kind, "--delay")) << empty_kind;
  EXPECT_TRUE(model.empty());
}

}  // namespace delay_test
}  // namespace replisim
