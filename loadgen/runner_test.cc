#include "loadgen/runner.h"

#include <sys/resource.h>

#include "gtest/gtest.h"

namespace scalebench::loadgen {
namespace {

TEST(EnsureFileLimitTest, RaisesTheSoftLimitWhenAllowed) {
  rlimit before;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &before), 0);
  if (before.rlim_cur < 128) {
    GTEST_SKIP() << "the soft limit is too low to lower and raise again";
  }
  // Lower the soft limit, then ask for more than it: the call raises it.
  rlimit lowered = before;
  lowered.rlim_cur = 64;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  EXPECT_TRUE(EnsureFileLimit(100).ok());
  rlimit after;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_GE(after.rlim_cur, 100u);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &before), 0);
}

TEST(EnsureFileLimitTest, NeedsWithinTheLimitChangeNothing) {
  rlimit before;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &before), 0);
  EXPECT_TRUE(EnsureFileLimit(10).ok());
  rlimit after;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_EQ(after.rlim_cur, before.rlim_cur);
}

TEST(RunLoadTest, InvalidOptionsAreRejectedBeforeAnythingStarts) {
  LoadOptions o;
  o.urls = {"http://127.0.0.1:1/"};
  o.requests = 5;
  o.duration = absl::Seconds(1);
  auto r = RunLoad(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RunLoadTest, UnavailableCoreIsRejected) {
  LoadOptions o;
  o.urls = {"http://127.0.0.1:1/"};
  o.requests = 5;
  o.connections = 1;
  o.cpus = {1023};
  auto r = RunLoad(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("core 1023"), std::string::npos);
}

}  // namespace
}  // namespace scalebench::loadgen
