#include "loadgen/runner.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/time/clock.h"
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

TEST(RunLoadTest, StartAtBeyondTheMaximumIsRejected) {
  // Rejected at planning, after the reachability check: a listener.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 16), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  LoadOptions o;
  o.urls = {"http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/"};
  o.connections = 1;
  o.duration = absl::Seconds(1);
  o.start_at = absl::Now() + absl::Hours(1'000'000);
  auto r = RunLoad(o);
  close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("(start_at)"), std::string::npos)
      << r.status();
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
