# The agent: the Synchronize client, the clock exchange, the trial runner
# and the executor of desired states behind scalebench-worker.
add_library(scalebench_worker_agent STATIC
  agent/clock_burst.cc
  agent/clock_sync.cc
  agent/daemon.cc
  agent/driver_set.cc
  agent/drivers.cc
  agent/run_trial.cc
  agent/state_dir_lock.cc
  agent/sync_client.cc
  agent/trial_executor.cc
  agent/trial_runner.cc
  agent/worker_defaults.cc
  agent/worker_host.cc
  agent/worker_metrics.cc)
target_link_libraries(scalebench_worker_agent PUBLIC
  scalebench_worker_core scalebench_platform_drivers scalebench_worker_balancers
  scalebench_worker_observe scalebench_loadgen scalebench_results scalebench_spec
  scalebench_api
  scalebench_common scalebench_metrics scalebench_proto nlohmann_json::nlohmann_json
  absl::synchronization absl::time)

add_executable(scalebench-worker agent/worker_main.cc)
target_link_libraries(scalebench-worker PRIVATE scalebench_worker_agent)

# Test doubles of the worker (test-only).
add_library(scalebench_worker_testing STATIC testing/fake_target_driver.cc)
target_link_libraries(scalebench_worker_testing PUBLIC
  scalebench_worker_core scalebench_worker_balancers absl::synchronization absl::strings Threads::Threads)

# The executor's tests run the real load generator at a planned instant
# with a 5 ms start tolerance: they take the load-test lock, so that no
# other load test starves them of CPU (a start 5.8 ms late was seen).
scalebench_test(worker_agent_test
  SOURCES agent/clock_burst_test.cc agent/clock_sync_test.cc agent/driver_set_test.cc agent/sync_client_test.cc
          agent/state_dir_lock_test.cc agent/trial_executor_test.cc
          agent/trial_runner_test.cc agent/worker_metrics_test.cc
  LIBS scalebench_worker_agent scalebench_worker_testing
       scalebench_worker_observe_testing
  PROPERTIES RESOURCE_LOCK loadgen_cpu)

# The daemon binary end to end against a coordinator stand-in, with a real
# native target.
scalebench_test(worker_daemon_test
  SOURCES agent/daemon_test.cc
  LIBS scalebench_common scalebench_proto
  LABELS native
  PROPERTIES RESOURCE_LOCK loadgen_cpu TIMEOUT 120)
target_compile_definitions(worker_daemon_test PRIVATE
  SCALEBENCH_WORKER_BINARY="$<TARGET_FILE:scalebench-worker>")
add_dependencies(worker_daemon_test scalebench-worker)
