# The agent: the Synchronize client, the clock exchange, the trial runner
# and the executor of desired states behind scalebench-worker.
add_library(scalebench_worker_agent STATIC
  agent/clock_sync.cc
  agent/driver_set.cc
  agent/sync_client.cc
  agent/trial_executor.cc
  agent/trial_runner.cc)
target_link_libraries(scalebench_worker_agent PUBLIC
  scalebench_worker_core scalebench_loadgen scalebench_api scalebench_common
  scalebench_proto absl::synchronization absl::time)

# Test doubles of the worker (test-only).
add_library(scalebench_worker_testing STATIC testing/fake_target_driver.cc)
target_link_libraries(scalebench_worker_testing PUBLIC
  scalebench_worker_core absl::synchronization absl::strings Threads::Threads)

scalebench_test(worker_agent_test
  SOURCES agent/clock_sync_test.cc agent/sync_client_test.cc
          agent/trial_executor_test.cc agent/trial_runner_test.cc
  LIBS scalebench_worker_agent scalebench_worker_testing)
