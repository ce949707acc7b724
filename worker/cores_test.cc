#include "worker/cores.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::worker {
namespace {

using ::testing::ElementsAre;

TEST(AllocateCoresTest, EnoughCoresGiveEveryRoleItsOwn) {
  CoreRequest request;
  request.targets = 2;
  request.vcpus_per_target = 2;
  request.balancer_cores = 1;
  request.loadgen_cores = 1;
  absl::StatusOr<CoreMap> map =
      AllocateCores({0, 1, 2, 3, 4, 5, 6, 7}, request);
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_FALSE(map->overcommitted);
  EXPECT_THAT(map->loadgen, ElementsAre(0));
  EXPECT_THAT(map->balancer, ElementsAre(1));
  EXPECT_THAT(map->targets, ElementsAre(ElementsAre(2, 3), ElementsAre(4, 5)));
}

// Four one-vCPU instances and a load generator on two cores: the cores are
// shared round-robin and the map says so.
TEST(AllocateCoresTest, TooFewCoresAreSharedAndSaidSo) {
  CoreRequest request;
  request.targets = 4;
  request.loadgen_cores = 1;
  absl::StatusOr<CoreMap> map = AllocateCores({0, 1}, request);
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_TRUE(map->overcommitted);
  EXPECT_THAT(map->loadgen, ElementsAre(0));
  EXPECT_THAT(map->targets, ElementsAre(ElementsAre(1), ElementsAre(0),
                                        ElementsAre(1), ElementsAre(0)));
}

TEST(AllocateCoresTest, ExactlyEnoughIsNotOvercommitted) {
  CoreRequest request;
  request.targets = 1;
  request.loadgen_cores = 1;
  absl::StatusOr<CoreMap> map = AllocateCores({4, 7}, request);
  ASSERT_TRUE(map.ok());
  EXPECT_FALSE(map->overcommitted);
  EXPECT_THAT(map->targets, ElementsAre(ElementsAre(7)));
}

TEST(AllocateCoresTest, PinningNamesEveryRole) {
  CoreRequest request;
  request.targets = 2;
  request.balancer_cores = 1;
  request.loadgen_cores = 2;
  absl::StatusOr<CoreMap> map = AllocateCores({0, 1, 2, 3, 4}, request);
  ASSERT_TRUE(map.ok());
  const auto pinning = map->Pinning();
  EXPECT_EQ(pinning.at("loadgen"), "0,1");
  EXPECT_EQ(pinning.at("balancer"), "2");
  EXPECT_EQ(pinning.at("target/0"), "3");
  EXPECT_EQ(pinning.at("target/1"), "4");
}

TEST(AllocateCoresTest, RefusesNoCoresAndNegativeCounts) {
  EXPECT_FALSE(AllocateCores({}, CoreRequest{}).ok());
  CoreRequest negative;
  negative.targets = -1;
  EXPECT_FALSE(AllocateCores({0}, negative).ok());
}

}  // namespace
}  // namespace scalebench::worker
