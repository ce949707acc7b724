# The qemu platform: one QEMU VM per target (targets/qemu_driver.h).
# Included from worker/CMakeLists.txt; paths are relative to worker/.
add_library(scalebench_worker_qemu STATIC targets/qemu_driver.cc)
target_link_libraries(scalebench_worker_qemu PUBLIC
  scalebench_worker_core scalebench_proto
  absl::status absl::statusor absl::strings absl::time)

# The command line and argument checks: no VM runs.
scalebench_test(qemu_driver_test
  SOURCES targets/qemu_driver_test.cc targets/qemu_driver_env_test.cc
  LIBS scalebench_worker_qemu scalebench_os_testing)

# Real guests under TCG, label `vm`. Their images are built (or found
# current, in about a second) once per ctest run by the fixture below;
# the first build downloads Debian's cloud kernel through apt.
set(SCALEBENCH_QEMU_IMAGE_DIR ${CMAKE_BINARY_DIR}/images/qemu)
add_test(NAME qemu_images
  COMMAND ${CMAKE_SOURCE_DIR}/deploy/images/build-qemu-images.sh
          ${SCALEBENCH_QEMU_IMAGE_DIR})
set_tests_properties(qemu_images PROPERTIES
  FIXTURES_SETUP qemu_images LABELS vm TIMEOUT 600)
scalebench_test(qemu_vm_test
  SOURCES targets/qemu_vm_test.cc
  LIBS scalebench_worker_qemu scalebench_loadgen
  LABELS vm
  PROPERTIES FIXTURES_REQUIRED qemu_images TIMEOUT 300)
target_compile_definitions(qemu_vm_test PRIVATE
  SCALEBENCH_QEMU_IMAGE_DIR="${SCALEBENCH_QEMU_IMAGE_DIR}")
