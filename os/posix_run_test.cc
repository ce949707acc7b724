#include "absl/time/time.h"
#include "common/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "os/posix_env.h"

namespace scalebench::os {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<ProgramOutput> RunArgv(const std::vector<std::string>& argv,
                                      absl::Duration timeout,
                                      size_t max_output = size_t{1} << 20) {
  PosixEnv env(Clock::Real());
  RunOptions options;
  options.timeout = timeout;
  options.max_output_bytes = max_output;
  return env.Run(argv, options);
}

absl::StatusOr<ProgramOutput> Sh(const std::string& script,
                                 absl::Duration timeout = absl::Seconds(30)) {
  return RunArgv({"sh", "-c", script}, timeout);
}

TEST(RunTest, CapturesStdoutStderrAndExitStatus) {
  absl::StatusOr<ProgramOutput> output = Sh("echo out; echo err >&2; exit 3");
  ASSERT_TRUE(output.ok()) << output.status();
  EXPECT_EQ(output->exit_code, 3);
  EXPECT_EQ(output->out, "out\n");
  EXPECT_EQ(output->err, "err\n");
}

TEST(RunTest, StdinIsEmpty) {
  absl::StatusOr<ProgramOutput> output = Sh("wc -c");
  ASSERT_TRUE(output.ok()) << output.status();
  EXPECT_EQ(output->out, "0\n");
}

TEST(RunTest, CapturesMoreThanAPipeHolds) {
  absl::StatusOr<ProgramOutput> output =
      Sh("head -c 1000000 /dev/zero | tr '\\0' x");
  ASSERT_TRUE(output.ok()) << output.status();
  EXPECT_EQ(output->out.size(), 1000000u);
}

// `xl create` leaves a monitoring daemon behind; the call must return when
// xl itself exits, not when every descendant has closed the pipe.
TEST(RunTest, DoesNotWaitForDescendantsThatKeepThePipe) {
  const absl::Time start = absl::Now();
  absl::StatusOr<ProgramOutput> output = Sh("sleep 3 & echo created");
  ASSERT_TRUE(output.ok()) << output.status();
  EXPECT_EQ(output->out, "created\n");
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(2500));
}

TEST(RunTest, AMissingProgramIsAFailedPrecondition) {
  absl::StatusOr<ProgramOutput> output =
      RunArgv({"scalebench-no-such-program"}, absl::Seconds(5));
  EXPECT_EQ(output.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(output.status().message(),
              HasSubstr("scalebench-no-such-program"));
}

TEST(RunTest, KillsAProgramThatOverrunsItsTimeout) {
  absl::StatusOr<ProgramOutput> output =
      Sh("exec sleep 30", absl::Milliseconds(200));
  EXPECT_EQ(output.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(output.status().message(), HasSubstr("sleep 30"));
}

TEST(RunTest, KeepsAtMostTheBoundOfEachStreamAndSaysSo) {
  absl::StatusOr<ProgramOutput> output =
      RunArgv({"sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x; echo e >&2"},
              absl::Seconds(30), 1000);
  ASSERT_TRUE(output.ok()) << output.status();
  EXPECT_EQ(output->out, std::string(1000, 'x'));
  EXPECT_EQ(output->err, "e\n");
  EXPECT_TRUE(output->truncated);
}

TEST(RunTest, ASignalIsTheOutcome) {
  absl::StatusOr<ProgramOutput> output = Sh("kill -9 $$");
  ASSERT_TRUE(output.ok()) << output.status();
  EXPECT_EQ(output->exit_code, -1);
  EXPECT_EQ(output->signal, 9);
  EXPECT_EQ(DescribeOutcome(*output), "was killed by signal 9");
}

TEST(DescribeOutcomeTest, QuotesStderrElseStdout) {
  ProgramOutput output;
  output.exit_code = 1;
  output.out = "out\n";
  EXPECT_EQ(DescribeOutcome(output), "exited with status 1: out");
  output.err = "  bad thing\n";
  EXPECT_EQ(DescribeOutcome(output), "exited with status 1: bad thing");
}

}  // namespace
}  // namespace scalebench::os
