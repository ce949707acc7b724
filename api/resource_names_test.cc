#include "api/resource_names.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::api {
namespace {

using ::testing::HasSubstr;

TEST(ResourceNamesTest, FormatsTheDocumentedForms) {
  EXPECT_EQ(ExperimentName("exp-000042"), "experiments/exp-000042");
  EXPECT_EQ(TrialName("exp-000042", 7), "experiments/exp-000042/trials/7");
  EXPECT_EQ(WorkerName("host-a"), "workers/host-a");
  EXPECT_EQ(TrialShortName("exp-000042", 7), "exp-000042/7");
}

TEST(ResourceNamesTest, ParsesWhatItFormats) {
  absl::StatusOr<TrialRef> trial =
      ParseTrialName("experiments/exp-1/trials/4294967295");
  ASSERT_TRUE(trial.ok()) << trial.status();
  EXPECT_EQ(trial->experiment_id, "exp-1");
  EXPECT_EQ(trial->trial, 4294967295u);
  EXPECT_EQ(*ParseExperimentName("experiments/nightly_2026.11"),
            "nightly_2026.11");
  EXPECT_EQ(*ParseWorkerName("workers/host-a.lab"), "host-a.lab");
  EXPECT_EQ(ScheduleName("nightly-nginx"), "schedules/nightly-nginx");
  EXPECT_EQ(*ParseScheduleName("schedules/nightly.nginx"), "nightly.nginx");
}

TEST(ResourceNamesTest, ScheduleNamesAreNotExperimentNames) {
  absl::StatusOr<std::string> id = ParseScheduleName("experiments/exp-1");
  ASSERT_FALSE(id.ok());
  EXPECT_THAT(id.status().message(), HasSubstr("schedules/{schedule}"));
  EXPECT_FALSE(ParseScheduleName("schedules/a/b").ok());
}

TEST(ResourceNamesTest, RejectsMalformedNamesSayingTheForm) {
  for (const char* bad :
       {"", "experiments", "experiments/", "experiments/a/b", "workers/exp-1",
        "experiments/../x", "experiments/a b", "experiments/.."}) {
    absl::StatusOr<std::string> id = ParseExperimentName(bad);
    ASSERT_FALSE(id.ok()) << bad;
    EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(id.status().message(), HasSubstr("experiments/{experiment}"));
  }
  for (const char* bad :
       {"experiments/e/trials/", "experiments/e/trials/-1",
        "experiments/e/trials/07", "experiments/e/trials/4294967296",
        "experiments/e/trial/1", "experiments/e/trials/1/attempts/1",
        "experiments/e/trials/+1"}) {
    EXPECT_FALSE(ParseTrialName(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseTrialName("experiments/e/trials/0").ok());
  EXPECT_FALSE(ParseWorkerName("workers/" + std::string(65, 'a')).ok());
  EXPECT_TRUE(ParseWorkerName("workers/" + std::string(64, 'a')).ok());
}

TEST(ResourceNamesTest, ValidateIdNamesWhatIsWrong) {
  EXPECT_THAT(ValidateId("", "worker id").message(),
              HasSubstr("worker id is empty"));
  EXPECT_THAT(ValidateId("a/b", "worker id").message(),
              HasSubstr("only letters, digits"));
}

}  // namespace
}  // namespace scalebench::api
