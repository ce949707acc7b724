#include "api/enum_names.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scalebench/v1/common.pb.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(EnumNamesTest, SpellsValuesInLowerCaseWithoutThePrefix) {
  EXPECT_EQ(EnumName(v1::PLATFORM_NATIVE), "native");
  EXPECT_EQ(EnumName(v1::MODEL_KIND_POLY), "poly");
  EXPECT_EQ(EnumName(v1::BALANCER_ALGORITHM_ROUNDROBIN), "roundrobin");
  EXPECT_EQ(EnumName(v1::FAILURE_KIND_LATE_START), "late_start");
}

TEST(EnumNamesTest, UnspecifiedAndUnknownNumbersHaveNoName) {
  EXPECT_EQ(EnumName(v1::PLATFORM_UNSPECIFIED), "");
  EXPECT_EQ(EnumName(static_cast<v1::Platform>(99)), "");
}

TEST(EnumNamesTest, ParsesEveryNameItPrints) {
  for (const std::string& name : EnumNames<v1::BalancerKind>()) {
    absl::StatusOr<v1::BalancerKind> kind =
        ParseEnumName<v1::BalancerKind>(name);
    ASSERT_TRUE(kind.ok()) << name;
    EXPECT_EQ(EnumName(*kind), name);
  }
  EXPECT_THAT(EnumNames<v1::BalancerKind>(),
              ElementsAre("none", "haproxy", "nginx"));
}

TEST(EnumNamesTest, RejectsUnknownNamesListingTheAcceptedOnes) {
  absl::StatusOr<v1::LoadMode> mode = ParseEnumName<v1::LoadMode>("Closed");
  ASSERT_FALSE(mode.ok());
  EXPECT_EQ(mode.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(mode.status().message(), HasSubstr("closed, open"));
  EXPECT_FALSE(ParseEnumName<v1::LoadMode>("unspecified").ok());
  EXPECT_FALSE(ParseEnumName<v1::LoadMode>("").ok());
}

}  // namespace
}  // namespace scalebench::api
