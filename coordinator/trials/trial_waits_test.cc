#include "coordinator/trials/trial_waits.h"

#include <string>
#include <vector>

#include "coordinator/trials/placement_test_hosts.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::coordinator {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

v1::Trial Queued(int number, uint32_t configuration_index) {
  v1::Trial trial;
  trial.set_name("experiments/exp-000001/trials/" + std::to_string(number));
  trial.set_configuration_index(configuration_index);
  trial.set_state(v1::TRIAL_STATE_QUEUED);
  return trial;
}

class TrialWaitsTest : public ::testing::Test {
 protected:
  TrialWaitsTest() {
    one_host_ = Config(2, 1, v1::BALANCER_KIND_HAPROXY);
    one_host_.set_index(0);
    three_hosts_ = Config(2, 2, v1::BALANCER_KIND_HAPROXY);
    three_hosts_.set_index(1);
    docker_ = Config(1, 1, v1::BALANCER_KIND_NONE, v1::PLATFORM_DOCKER);
    docker_.set_index(2);
  }

  TrialWaits::LiveHostsFn TwoHosts() {
    return [this] {
      ++listed_;
      return std::vector<CandidateHost>{
          Host("h1", {v1::PLATFORM_NATIVE}, {v1::BALANCER_KIND_HAPROXY}),
          Host("h2", {v1::PLATFORM_NATIVE}, {v1::BALANCER_KIND_HAPROXY})};
    };
  }

  v1::Configuration one_host_, three_hosts_, docker_;
  int listed_ = 0;
};

// The 3-host configuration on 2 hosts: it names the missing host, and the
// trials behind it say they wait behind it, or for what they lack
// themselves.
TEST_F(TrialWaitsTest, ATrialNoHostCanRunBlocksThoseBehindIt) {
  TrialWaits waits(kOwnHost, TwoHosts());
  EXPECT_FALSE(waits.blocked());
  const absl::Status never = waits.Blocked(
      Queued(3, 1), three_hosts_,
      absl::ResourceExhaustedError("needs 3 free hosts ...; 2 found"));
  EXPECT_EQ(never.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(waits.blocked());
  waits.Behind(Queued(4, 0), one_host_);
  waits.Behind(Queued(5, 2), docker_);
  waits.Behind(Queued(6, 1), three_hosts_);

  EXPECT_THAT(
      waits.Take(),
      UnorderedElementsAre(
          Pair("experiments/exp-000001/trials/3",
               HasSubstr("needs 3 free hosts: 2 that run native and one more "
                         "that runs haproxy; 2 found (2 workers "
                         "synchronizing: h1, h2)")),
          Pair("experiments/exp-000001/trials/4",
               "queued behind trial 3, which the workers synchronizing now "
               "cannot run"),
          Pair("experiments/exp-000001/trials/5", HasSubstr("that run docker")),
          Pair("experiments/exp-000001/trials/6",
               HasSubstr("needs 3 free hosts"))));
  // The workers are listed once per pass, whatever the number of trials.
  EXPECT_EQ(listed_, 1);
  EXPECT_THAT(waits.Take(), IsEmpty());
}

// A trial the hosts could run when idle waits for busy ones, as PlaceTrial
// said, and so do those behind it.
TEST_F(TrialWaitsTest, ATrialThatWaitsForBusyHostsSaysSo) {
  TrialWaits waits(kBesideTargets, TwoHosts());
  EXPECT_TRUE(waits
                  .Blocked(Queued(0, 1), three_hosts_,
                           absl::ResourceExhaustedError(
                               "needs 2 free hosts ...; 1 found"))
                  .ok());
  waits.Behind(Queued(1, 0), one_host_);
  EXPECT_THAT(waits.Take(),
              UnorderedElementsAre(
                  Pair("experiments/exp-000001/trials/0",
                       "waits for busy hosts: needs 2 free hosts ...; 1 found"),
                  Pair("experiments/exp-000001/trials/1",
                       "queued behind trial 0, which waits for busy hosts")));
}

// Behind a blocked trial, the hosts are asked about at most
// kMaxConfigurationsChecked configurations a pass; a trial of a further
// configuration, even one they could never run, says it is queued behind.
TEST_F(TrialWaitsTest, ChecksABoundedNumberOfConfigurationsAPass) {
  TrialWaits waits(kBesideTargets, TwoHosts());
  ASSERT_TRUE(waits
                  .Blocked(Queued(0, 1), three_hosts_,
                           absl::ResourceExhaustedError("1 found"))
                  .ok());
  int number = 1;
  for (uint32_t i = 10; i < 10 + TrialWaits::kMaxConfigurationsChecked; ++i) {
    v1::Configuration c = one_host_;
    c.set_index(i);
    waits.Behind(Queued(number++, i), c);
  }
  const int late = number;
  waits.Behind(Queued(late, 2), docker_);
  EXPECT_EQ(
      waits.Take().at("experiments/exp-000001/trials/" + std::to_string(late)),
      "queued behind trial 0, which waits for busy hosts");

  // Within the bound, the same docker trial names what it lacks.
  TrialWaits fresh(kBesideTargets, TwoHosts());
  ASSERT_TRUE(fresh
                  .Blocked(Queued(0, 1), three_hosts_,
                           absl::ResourceExhaustedError("1 found"))
                  .ok());
  fresh.Behind(Queued(1, 2), docker_);
  EXPECT_THAT(fresh.Take().at("experiments/exp-000001/trials/1"),
              HasSubstr("that run docker"));
}

// Nothing blocked, nothing listed: a pass that places everything costs no
// look at the workers.
TEST_F(TrialWaitsTest, NothingBlockedListsNoWorkers) {
  TrialWaits waits(kBesideTargets, TwoHosts());
  EXPECT_THAT(waits.Take(), IsEmpty());
  EXPECT_EQ(listed_, 0);
}

}  // namespace
}  // namespace scalebench::coordinator
