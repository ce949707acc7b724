// Test support for the native driver and the balancers: a one-shot HTTP
// GET that returns the status and body, and a fixture that gives each test
// its own state dir and stops every target and balancer it started in
// TearDown, even when the test failed. Not thread-safe.
#ifndef SCALEBENCH_WORKER_NATIVE_TEST_SUPPORT_H_
#define SCALEBENCH_WORKER_NATIVE_TEST_SUPPORT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "platforms/native/native_driver.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// GET / from `endpoint` ("127.0.0.1:PORT") over a new connection, HTTP/1.0,
// reading until the server closes. UNAVAILABLE on any failure.
absl::StatusOr<HttpAnswer> HttpGet(const std::string& endpoint);

// Whether a process with this pid runs (exists and is not a zombie).
bool Running(pid_t pid);

// The pid in a pid file ("PID START"), 0 if none.
pid_t PidInFile(const std::string& path);

class NativeFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  // Recovers (stops) the native targets of every context made by
  // MakeContext, and what RecoverMore() adds.
  void TearDown() override;
  // What else to recover for `context` (balancers).
  virtual void RecoverMore(const WorkerContext& context) { (void)context; }

  // A context for worker `name`, sharing this test's state dir.
  WorkerContext MakeContext(const std::string& name);

  // A free loopback port not handed out before in this test.
  uint16_t FreePort();

  std::string state_dir_;
  WorkerContext context_;  // Worker "w1".

 private:
  std::vector<WorkerContext> contexts_;
  std::vector<uint16_t> ports_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_NATIVE_TEST_SUPPORT_H_
