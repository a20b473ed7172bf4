// Model parameters are typed handles: declared once with their spec, read as
// their type, checked when the run is configured.
#include "experiments/core/models/param.hpp"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace replisim {
namespace model_param_test {

const IntegerParam kUnits{{.name = "units", .default_value = "4", .min = 1, .max = 100}};
const NumberParam kPct{{.name = "pct", .default_value = "10", .min = 0, .max = 100}};
const DurationParam kWindow{{.name = "window", .default_value = "3h", .min = 0, .max = 86'400}};
const ChoiceParam kAcks{{.name = "acks", .default_value = "all", .choices = {"1", "all"}}};
const TextParam kLevel{{.name = "level", .default_value = "ONE"}};
const FlagParam kRepair{{.name = "read-repair"}};
const IntegerParam kUndeclared{{.name = "undeclared"}};

const std::vector<ParamSpec> kSpecs = {kUnits.spec(), kPct.spec(), kWindow.spec(), kAcks.spec(), kLevel.spec(),
                                       kRepair.spec()};

TEST(ModelParam, AHandleFixesItsSpecsType)
{
  EXPECT_EQ(kUnits.spec().type, ParamType::integer);
  EXPECT_EQ(kPct.spec().type, ParamType::number);
  EXPECT_EQ(kWindow.spec().type, ParamType::duration);
  EXPECT_EQ(kAcks.spec().type, ParamType::choice);
  EXPECT_EQ(kLevel.spec().type, ParamType::text);
  EXPECT_EQ(kRepair.spec().type, ParamType::flag);
}

TEST(ModelParam, DefaultsAreReadAsTheirTypes)
{
  const ModelParams p(kSpecs, {});
  EXPECT_EQ(p[kUnits], 4);
  EXPECT_EQ(p[kPct], 10.0);
  EXPECT_EQ(p[kWindow], 3 * 3600.0);
  EXPECT_EQ(p[kAcks], "all");
  EXPECT_EQ(p[kLevel], "ONE");
  EXPECT_FALSE(p[kRepair]);
  EXPECT_FALSE(p.given(kUnits));
}

TEST(ModelParam, GivenValuesAreParsedOnceAndReadAsTheirTypes)
{
  const ModelParams p(kSpecs, {{"units", "12"}, {"pct", "2.5"}, {"window", "250ms"}, {"acks", "1"},
                               {"level", "quorum"}, {"read-repair", "true"}, {"someone-elses", "x"}});
  EXPECT_EQ(p[kUnits], 12);
  EXPECT_EQ(p[kPct], 2.5);
  EXPECT_DOUBLE_EQ(p[kWindow], 0.25);
  EXPECT_EQ(p[kAcks], "1");
  EXPECT_EQ(p[kLevel], "quorum");
  EXPECT_TRUE(p[kRepair]);
  EXPECT_TRUE(p.given(kUnits));
  EXPECT_EQ(p.column_text(kRepair.spec()), "1");
  EXPECT_EQ(p.column_text(kWindow.spec()), "250ms");
}

TEST(ModelParam, ABadValueIsOneLineNamingTheFlag)
{
  try {
    ModelParams(kSpecs, {{"units", "0"}});
    FAIL() << "accepted units 0";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "--units: '0' is out of range: must be in [1, 100]");
  }
  EXPECT_THROW(ModelParams(kSpecs, {{"acks", "2"}}), std::invalid_argument);
  EXPECT_THROW(ModelParams(kSpecs, {{"window", "-1s"}}), std::invalid_argument);
}

TEST(ModelParam, ReadingAHandleTheModelDidNotRegisterIsALogicError)
{
  const ModelParams p(kSpecs, {});
  EXPECT_THROW(static_cast<void>(p[kUndeclared]), std::logic_error);
}

}  // namespace model_param_test
}  // namespace replisim
