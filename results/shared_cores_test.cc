#include "results/shared_cores.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::results {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

v1::WorkerResult Host(const std::string& id,
                      std::initializer_list<std::pair<const char*, const char*>>
                          pinning) {
  v1::WorkerResult host;
  host.set_worker_id(id);
  for (const auto& [role, cores] : pinning) {
    (*host.mutable_environment()->mutable_pinning())[role] = cores;
  }
  return host;
}

// The quickstart's placement on two cores.
TEST(SharedCoresTest, FourTargetsABalancerAndALoadGeneratorOnTwoCores) {
  v1::TrialResult trial;
  *trial.add_raw() = Host("local", {{"target/0", "0"},
                                    {"target/1", "1"},
                                    {"target/2", "0"},
                                    {"target/3", "1"},
                                    {"balancer", "1"},
                                    {"loadgen", "0"}});
  const std::vector<SharedCore> shared = SharedCores(trial);
  ASSERT_EQ(shared.size(), 2u);
  EXPECT_EQ(shared[0].worker_id, "local");
  EXPECT_EQ(shared[0].cpu, 0);
  EXPECT_THAT(shared[0].roles, ElementsAre("loadgen", "target/0", "target/2"));
  EXPECT_EQ(shared[1].cpu, 1);
  EXPECT_THAT(shared[1].roles,
              ElementsAre("balancer", "target/1", "target/3"));
}

TEST(SharedCoresTest, DisjointCoresAndOtherHostsShareNothing) {
  v1::TrialResult trial;
  *trial.add_raw() = Host("h1", {{"target/0", "0-1"}, {"loadgen", "2,3"}});
  // The same core number on another host is another core.
  *trial.add_raw() = Host("h2", {{"target/0", "0"}});
  *trial.add_raw() = Host("h3", {{"balancer", "not a list"}, {"x", "0"}});
  EXPECT_THAT(SharedCores(trial), IsEmpty());
}

}  // namespace
}  // namespace scalebench::results
