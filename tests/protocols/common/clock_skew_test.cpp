// Clock skews (--clock-skew): signed laws, their text form and its errors.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "experiments/core/delay_grammar.hpp"
#include "protocols/common/clock_skew.hpp"
#include "protocols/common/rng.hpp"

namespace replisim {
namespace clock_skew_test {

std::string error_of(const std::string& text)
{
  try {
    parse_clock_skew(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(ClockSkew, AConstantIsSignedAndDrawsNothing)
{
  Rng rng(1);
  EXPECT_DOUBLE_EQ(parse_clock_skew("const:-5ms").sample(rng), -0.005);
  EXPECT_DOUBLE_EQ(parse_clock_skew("const:2").sample(rng), 0.002);  // a bare number is ms
  EXPECT_DOUBLE_EQ(parse_clock_skew("const:-0ms").sample(rng), 0.0);
  EXPECT_FALSE(std::signbit(parse_clock_skew("const:-0ms").sample(rng)));  // no -0 in a CSV
  EXPECT_EQ(parse_clock_skew("const:-5ms").text(), "const:-5ms");
}

TEST(ClockSkew, UniformAndNormalDrawBothSigns)
{
  const ClockSkew uniform = parse_clock_skew("uniform:-5ms:5ms");
  const ClockSkew normal = parse_clock_skew("normal:0:2ms");
  Rng rng(7);
  int below = 0;
  double sum = 0;
  double square = 0;
  constexpr int kDraws = 20'000;
  for (int i = 0; i < kDraws; ++i) {
    const double u = uniform.sample(rng);
    ASSERT_GE(u, -0.005);
    ASSERT_LE(u, 0.005);
    below += u < 0 ? 1 : 0;
    const double n = normal.sample(rng);
    sum += n;
    square += n * n;
  }
  EXPECT_NEAR(below, kDraws / 2, 300);
  EXPECT_NEAR(sum / kDraws, 0.0, 1e-4);
  EXPECT_NEAR(std::sqrt(square / kDraws), 0.002, 1e-4);
}

TEST(ClockSkew, BadLawsNameTheFlagAndTheReason)
{
  EXPECT_EQ(error_of("uniform:5ms:-5ms"), "--clock-skew: 'uniform:5ms:-5ms': HI '-5ms' is below LO '5ms'");
  EXPECT_EQ(error_of("normal:0:-2ms"), "--clock-skew: 'normal:0:-2ms': SD '-2ms' is negative");
  EXPECT_EQ(error_of("const:2h"), "--clock-skew: 'const:2h': the offset '2h' is more than an hour");
  EXPECT_EQ(error_of("normal:0"), "--clock-skew: 'normal:0': normal takes 2 parameters, not 1 (e.g. normal:0:2ms)");
  EXPECT_EQ(error_of("gauss:0:1ms"),
            "--clock-skew: 'gauss:0:1ms': unknown distribution 'gauss' (use const, uniform or normal)");
  EXPECT_EQ(error_of(""), "--clock-skew: '': no distribution (e.g. uniform:-5ms:5ms)");
  EXPECT_NE(error_of("const:--1ms"), "(accepted)");
  EXPECT_NE(error_of("const:-nanms"), "(accepted)");
  EXPECT_NE(error_of("uniform:-infs:0"), "(accepted)");
}

}  // namespace clock_skew_test
}  // namespace replisim
