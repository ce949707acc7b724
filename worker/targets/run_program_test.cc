#include "worker/targets/run_program.h"

#include "absl/time/time.h"
#include "common/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::worker {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<ProgramOutput> Sh(const std::string& script,
                                 absl::Duration timeout = absl::Seconds(30)) {
  return RunProgram({"sh", "-c", script}, timeout, *Clock::Real());
}

TEST(RunProgramTest, CapturesStdoutStderrAndExitStatus) {
  absl::StatusOr<ProgramOutput> output = Sh("echo out; echo err >&2; exit 3");
  ASSERT_TRUE(output.ok()) << output.status();
  EXPECT_EQ(output->exit_code, 3);
  EXPECT_EQ(output->out, "out\n");
  EXPECT_EQ(output->err, "err\n");
}

TEST(RunProgramTest, StdinIsEmpty) {
  absl::StatusOr<ProgramOutput> output = Sh("wc -c");
  ASSERT_TRUE(output.ok()) << output.status();
  EXPECT_EQ(output->out, "0\n");
}

TEST(RunProgramTest, CapturesMoreThanAPipeHolds) {
  absl::StatusOr<ProgramOutput> output =
      Sh("head -c 1000000 /dev/zero | tr '\\0' x");
  ASSERT_TRUE(output.ok()) << output.status();
  EXPECT_EQ(output->out.size(), 1000000u);
}

// `xl create` leaves a monitoring daemon behind; the call must return when
// xl itself exits, not when every descendant has closed the pipe.
TEST(RunProgramTest, DoesNotWaitForDescendantsThatKeepThePipe) {
  const absl::Time start = absl::Now();
  absl::StatusOr<ProgramOutput> output = Sh("sleep 3 & echo created");
  ASSERT_TRUE(output.ok()) << output.status();
  EXPECT_EQ(output->out, "created\n");
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(2500));
}

TEST(RunProgramTest, AMissingProgramIsAFailedPrecondition) {
  absl::StatusOr<ProgramOutput> output = RunProgram(
      {"scalebench-no-such-program"}, absl::Seconds(5), *Clock::Real());
  EXPECT_EQ(output.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(output.status().message(),
              HasSubstr("scalebench-no-such-program"));
}

TEST(RunProgramTest, KillsAProgramThatOverrunsItsTimeout) {
  absl::StatusOr<ProgramOutput> output =
      Sh("exec sleep 30", absl::Milliseconds(200));
  EXPECT_EQ(output.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(output.status().message(), HasSubstr("sleep 30"));
}

}  // namespace
}  // namespace scalebench::worker
