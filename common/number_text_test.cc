#include "common/number_text.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace scalebench {
namespace {

TEST(ReadableNumberTest, KeepsThreeSignificantDigitsAndNoDecimalsFrom100) {
  EXPECT_EQ(ReadableNumber(48061.5), "48,062");
  EXPECT_EQ(ReadableNumber(152400), "152,400");
  EXPECT_EQ(ReadableNumber(776.192), "776");
  EXPECT_EQ(ReadableNumber(99.94), "99.9");
  EXPECT_EQ(ReadableNumber(99.96), "100");
  EXPECT_EQ(ReadableNumber(0.99996), "1.00");
  EXPECT_EQ(ReadableNumber(12.43), "12.4");
  EXPECT_EQ(ReadableNumber(1.2345), "1.23");
  EXPECT_EQ(ReadableNumber(0.012345), "0.0123");
  EXPECT_EQ(ReadableNumber(-6560.4), "-6,560");
  EXPECT_EQ(ReadableNumber(0), "0");
  EXPECT_EQ(ReadableNumber(4), "4");
  EXPECT_EQ(ReadableNumber(4.5), "4.50");
}

TEST(ReadableNumberTest, NeverPrintsENotationForOrdinaryValues) {
  EXPECT_EQ(ReadableNumber(1.524e5), "152,400");
  EXPECT_EQ(ReadableNumber(1.5e-6), "0.00000150");
  EXPECT_EQ(ReadableNumber(1e15), "1,000,000,000,000,000");
}

TEST(ReadableNumberTest, NamesValuesThatAreNotFinite) {
  EXPECT_EQ(ReadableNumber(std::nan("")), "nan");
  EXPECT_EQ(ReadableNumber(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(ReadableNumber(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(GroupedNumberTest, GroupsTheIntegerPartOnly) {
  EXPECT_EQ(GroupedNumber(1234567.891, 2), "1,234,567.89");
  EXPECT_EQ(GroupedNumber(999.5, 0), "1,000");
  EXPECT_EQ(GroupedNumber(-1234.5, 1), "-1,234.5");
  EXPECT_EQ(GroupedNumber(123, 0), "123");
  EXPECT_EQ(GroupedNumber(-0.001, 1), "0.0");
}

TEST(ReadableDurationTest, ChoosesTheUnitThatSuitsTheValue) {
  EXPECT_EQ(ReadableDuration(absl::Nanoseconds(84047)), "84.0 µs");
  EXPECT_EQ(ReadableDuration(absl::Microseconds(1250)), "1.25 ms");
  EXPECT_EQ(ReadableDuration(absl::Microseconds(-3400)), "-3.40 ms");
  EXPECT_EQ(ReadableDuration(absl::Milliseconds(12500)), "12.5 s");
  EXPECT_EQ(ReadableDuration(absl::ZeroDuration()), "0 µs");
}

TEST(ReadableDurationUnitTest, IsTheUnitReadableDurationWrites) {
  EXPECT_STREQ(ReadableDurationUnit(absl::Microseconds(999)).name, "µs");
  EXPECT_EQ(ReadableDurationUnit(absl::Microseconds(999)).length,
            absl::Microseconds(1));
  EXPECT_STREQ(ReadableDurationUnit(absl::Microseconds(-1000)).name, "ms");
  EXPECT_EQ(ReadableDurationUnit(absl::Milliseconds(999)).length,
            absl::Milliseconds(1));
  EXPECT_STREQ(ReadableDurationUnit(absl::Seconds(1)).name, "s");
  EXPECT_EQ(ReadableDurationUnit(absl::Seconds(1)).length, absl::Seconds(1));
}

}  // namespace
}  // namespace scalebench
