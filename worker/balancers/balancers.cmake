# The haproxy and nginx balancers.
add_library(scalebench_worker_balancers STATIC
  balancers/balancer_launch.cc
  balancers/haproxy_balancer.cc
  balancers/nginx_balancer.cc)
target_link_libraries(scalebench_worker_balancers PUBLIC scalebench_worker_core)

scalebench_test(worker_balancers_unit_test
  SOURCES balancers/balancer_config_test.cc
  LIBS scalebench_worker_balancers)

# Real haproxy and nginx in front of real native targets, and load runs:
# one at a time with the other tests that load both cores.
scalebench_test(worker_balancers_test
  SOURCES balancers/balancer_run_test.cc native_test_support.cc
  LIBS scalebench_worker_balancers scalebench_worker_native scalebench_loadgen
  LABELS native
  PROPERTIES RESOURCE_LOCK loadgen_cpu TIMEOUT 120)

# Time to ready and a load run against native targets behind each
# balancer, for bench/native_balancers.sh; not a test.
add_executable(worker_native_bench native_bench.cc)
target_link_libraries(worker_native_bench PRIVATE
  scalebench_worker_balancers scalebench_worker_native)
set_target_properties(worker_native_bench PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin/tests)
