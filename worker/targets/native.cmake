# PLATFORM_NATIVE: targets as private nginx processes.
add_library(scalebench_worker_native STATIC targets/native_driver.cc)
target_link_libraries(scalebench_worker_native PUBLIC scalebench_worker_core)

scalebench_test(worker_native_unit_test
  SOURCES targets/native_plan_test.cc targets/native_driver_env_test.cc
  LIBS scalebench_worker_native scalebench_worker_balancers
       scalebench_os_testing)

# Real nginx processes on loopback ports, and a load run: one at a time
# with the other tests that load both cores.
scalebench_test(worker_native_test
  SOURCES targets/native_driver_test.cc native_test_support.cc
  LIBS scalebench_worker_native scalebench_loadgen
  LABELS native
  PROPERTIES RESOURCE_LOCK loadgen_cpu TIMEOUT 120)
