#include "analysis/row_selector.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::analysis {
namespace {

using ::testing::HasSubstr;

v1::RowFilter Filter(
    std::initializer_list<std::pair<std::string, std::vector<std::string>>>
        factors) {
  v1::RowFilter filter;
  for (const auto& [name, values] : factors) {
    for (const std::string& v : values) {
      (*filter.mutable_factors())[name].add_values(v);
    }
  }
  return filter;
}

RowTable Table() {
  RowTable table = *RowTable::Create("t.csv", {"platform", "hosts"});
  const char* rows[][2] = {{"docker", "1"}, {"docker", "2.0"}, {"xen", "2"}};
  for (const auto& row : rows) {
    EXPECT_TRUE(
        table.AddRow({Cell::FromText(row[0]), Cell::FromText(row[1])}, "")
            .ok());
  }
  return table;
}

TEST(RowSelectorTest, EveryFactorMustMatchOneOfItsValues) {
  const RowTable table = Table();
  absl::StatusOr<RowSelector> selector = RowSelector::Create(
      Filter({{"platform", {"docker"}}, {"hosts", {"2", "3"}}}), table,
      "train");
  ASSERT_TRUE(selector.ok()) << selector.status();
  EXPECT_FALSE(selector->Matches(table, 0));  // hosts 1
  EXPECT_TRUE(selector->Matches(table, 1));   // "2.0" is the number 2
  EXPECT_FALSE(selector->Matches(table, 2));  // xen
}

TEST(RowSelectorTest, TextComparesExactly) {
  const RowTable table = Table();
  const RowSelector selector =
      *RowSelector::Create(Filter({{"platform", {"Docker"}}}), table, "test");
  EXPECT_FALSE(selector.Matches(table, 0));
}

TEST(RowSelectorTest, ProblemsNameTheField) {
  const RowTable table = Table();
  EXPECT_EQ(RowSelector::Create(Filter({{"racks", {"1"}}}), table, "train")
                .status()
                .message(),
            "train: no column named 'racks' in t.csv (the columns are: "
            "platform, hosts)");
  v1::RowFilter no_values;
  (*no_values.mutable_factors())["hosts"];
  EXPECT_THAT(RowSelector::Create(no_values, table, "test").status().message(),
              HasSubstr("test: factor 'hosts' lists no values"));
}

TEST(RowSelectorTest, FormatsFactorsInNameOrder) {
  EXPECT_EQ(FormatRowFilter(Filter(
                {{"platform", {"docker", "xen"}}, {"hosts", {"2", "3"}}})),
            "hosts=2,3; platform=docker,xen");
  EXPECT_EQ(FormatRowFilter(v1::RowFilter()), "");
}

}  // namespace
}  // namespace scalebench::analysis
