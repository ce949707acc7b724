#include "cli/row_filter.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ParseRowFilterTest, ParsesColumnAndValues) {
  absl::StatusOr<v1::RowFilter> filter =
      ParseRowFilter(" hosts = 2, 3 ", "--test");
  ASSERT_TRUE(filter.ok()) << filter.status();
  ASSERT_EQ(filter->factors().size(), 1u);
  EXPECT_THAT(filter->factors().at("hosts").values(), ElementsAre("2", "3"));
}

TEST(ParseRowFilterTest, MalformedExpressionsAreRejected) {
  for (const char* bad : {"hosts", "=1", "hosts=", "hosts=1,,2"}) {
    EXPECT_THAT(ParseRowFilter(bad, "--train").status().message(),
                HasSubstr("--train expects COLUMN=VALUE[,VALUE...]"))
        << bad;
  }
}

}  // namespace
}  // namespace scalebench::cli
