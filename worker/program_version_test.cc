// ProgramVersion on the recording Env: what it runs and how it reads the
// answer.
#include "worker/program_version.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "os/recording_env.h"

namespace scalebench::worker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

os::RecordingEnv::RunHandler Prints(int code, std::string out,
                                    std::string err) {
  return [=](const std::vector<std::string>&) {
    os::ProgramOutput output;
    output.exit_code = code;
    output.out = out;
    output.err = err;
    return output;
  };
}

TEST(ProgramVersionTest, ReadsTheWordAfterTheMarkerOnStderrToo) {
  os::RecordingEnv env;
  env.OnRun("/usr/sbin/nginx", Prints(0, "", "nginx version: nginx/1.22.1\n"));
  EXPECT_EQ(*ProgramVersion(env, {"/usr/sbin/nginx", "-v"}, "nginx/"),
            "1.22.1");
  EXPECT_THAT(env.calls(), ElementsAre("run /usr/sbin/nginx -v"));
}

TEST(ProgramVersionTest, ReadsStdout) {
  os::RecordingEnv env;
  env.OnRun("haproxy",
            Prints(0, "HAProxy version 2.6.12-1+deb12u4 2023/12/14\n", ""));
  EXPECT_EQ(*ProgramVersion(env, {"haproxy", "-v"}, "HAProxy version "),
            "2.6.12-1+deb12u4");
}

TEST(ProgramVersionTest,
     AMissingProgramAFailureOrNoMarkerAreFailedPreconditions) {
  os::RecordingEnv env;
  absl::StatusOr<std::string> missing = ProgramVersion(env, {"qemu"}, "v ");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(missing.status().message(), HasSubstr("not installed"));

  env.OnRun("bad", Prints(1, "", "oops\n"));
  absl::StatusOr<std::string> failed = ProgramVersion(env, {"bad", "-v"}, "x");
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(failed.status().message(), HasSubstr("`bad -v` failed: oops"));

  env.OnRun("quiet", Prints(0, "nothing here\n", ""));
  absl::StatusOr<std::string> none = ProgramVersion(env, {"quiet"}, "v/");
  EXPECT_EQ(none.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(none.status().message(), HasSubstr("printed no version"));
}

}  // namespace
}  // namespace scalebench::worker
