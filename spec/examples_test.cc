// The specs in examples/ parse and validate, and expand to the grids their
// comments promise.
#include <string>

#include "gtest/gtest.h"
#include "spec/grid.h"
#include "spec/spec_yaml.h"

namespace scalebench::spec {
namespace {

absl::StatusOr<v1::ExperimentSpec> Example(const std::string& name) {
  return ParseSpecFile(std::string(SCALEBENCH_EXAMPLES_DIR) + "/" + name);
}

TEST(ExamplesTest, QuickstartParsesAndValidates) {
  absl::StatusOr<v1::ExperimentSpec> spec = Example("quickstart.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->name(), "quickstart");
  // 4 instance levels x (none, haproxy).
  EXPECT_EQ(ExpandGrid(*spec).size(), 8u);
  EXPECT_EQ(spec->repetitions().count(), 3u);
  EXPECT_EQ(spec->models_size(), 2);
}

TEST(ExamplesTest, PaperParsesAndValidates) {
  absl::StatusOr<v1::ExperimentSpec> spec = Example("paper.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  // 3 platforms x 12 instance levels x 2 balancers.
  EXPECT_EQ(ExpandGrid(*spec).size(), 72u);
  EXPECT_FALSE(spec->loadgen().keepalive());
  EXPECT_EQ(spec->loadgen().requests(), 10000u);
  EXPECT_EQ(spec->loadgen().connections(), 1000u);
}

TEST(ExamplesTest, CrossHostLinearParsesAndValidates) {
  absl::StatusOr<v1::ExperimentSpec> spec = Example("cross-host-linear.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  // instances x hosts with at least one instance per host: 1+2+3.
  EXPECT_EQ(ExpandGrid(*spec).size(), 6u);
  EXPECT_EQ(spec->placement().balancer(), v1::BALANCER_PLACEMENT_UNSPECIFIED);
}

TEST(ExamplesTest, CrossHostOwnBalancerParsesAndValidates) {
  absl::StatusOr<v1::ExperimentSpec> spec =
      Example("cross-host-own-balancer.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  // (1, 1), (2, 1), (2, 2).
  EXPECT_EQ(ExpandGrid(*spec).size(), 3u);
  EXPECT_EQ(spec->placement().balancer(), v1::BALANCER_PLACEMENT_OWN_HOST);
  EXPECT_FALSE(spec->loadgen().has_warmup());
}

}  // namespace
}  // namespace scalebench::spec
