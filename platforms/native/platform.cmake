# PLATFORM_NATIVE in one place: its description (native_platform.cc,
# platform.h), the worker's part (native_driver_factory.cc,
# driver_factory.h) and the driver itself, targets as private nginx
# processes (native_driver.h). Included from platforms/CMakeLists.txt.
set(NATIVE_DIR ${CMAKE_CURRENT_LIST_DIR})
scalebench_platform(native DRIVER_SOURCES native_driver.cc)

scalebench_test(worker_native_unit_test
  SOURCES ${NATIVE_DIR}/native_plan_test.cc ${NATIVE_DIR}/native_driver_env_test.cc
  LIBS scalebench_worker_native scalebench_worker_balancers
       scalebench_os_testing)

# Real nginx processes on loopback ports, and a load run: one at a time
# with the other tests that load both cores.
scalebench_test(worker_native_test
  SOURCES ${NATIVE_DIR}/native_driver_test.cc ${CMAKE_SOURCE_DIR}/worker/native_test_support.cc
  LIBS scalebench_worker_native scalebench_loadgen
  LABELS native
  PROPERTIES RESOURCE_LOCK loadgen_cpu TIMEOUT 120)
