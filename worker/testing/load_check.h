// Test support: a short closed-loop load run of 10 connections against one
// target or balancer, asserting that it answered every request with a 2xx
// and counted no error. For tests that link the load generator.
// Test-only. Thread-compatible.
#ifndef SCALEBENCH_WORKER_TESTING_LOAD_CHECK_H_
#define SCALEBENCH_WORKER_TESTING_LOAD_CHECK_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "loadgen/report.h"
#include "loadgen/runner.h"

namespace scalebench::worker {

// Loads http://`endpoint`/ for `duration` on `threads` event-loop threads
// (0: the load generator's default) and expects requests, all 2xx, and no
// errors.
inline void ExpectLoadWithoutErrors(const std::string& endpoint,
                                    absl::Duration duration,
                                    uint32_t threads = 0) {
  loadgen::LoadOptions options;
  options.urls = {absl::StrCat("http://", endpoint, "/")};
  options.connections = 10;
  options.threads = threads;
  options.duration = duration;
  absl::StatusOr<v1::LoadgenResult> result = loadgen::RunLoad(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_GT(result->requests(), 0u);
  EXPECT_EQ(loadgen::TotalErrors(result->errors()), 0u);
  EXPECT_EQ(result->status_classes().status_2xx(), result->requests());
}

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_TESTING_LOAD_CHECK_H_
