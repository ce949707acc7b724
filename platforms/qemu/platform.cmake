# PLATFORM_QEMU in one place: its description (qemu_platform.cc,
# platform.h), the worker's part (qemu_driver_factory.cc,
# driver_factory.h) and the driver itself, one QEMU VM per target
# (qemu_driver.h). Included from platforms/CMakeLists.txt.
set(QEMU_DIR ${CMAKE_CURRENT_LIST_DIR})
scalebench_platform(qemu
  DRIVER_SOURCES qemu_driver.cc qemu_vms.cc
  DRIVER_LIBS scalebench_platforms)

# Where the worker finds the qemu guests' images unless told otherwise.
set(SCALEBENCH_QEMU_IMAGE_DIR ${CMAKE_BINARY_DIR}/images/qemu)
set_source_files_properties(${QEMU_DIR}/qemu_driver_factory.cc
  PROPERTIES COMPILE_DEFINITIONS
  SCALEBENCH_QEMU_IMAGE_DIR="${SCALEBENCH_QEMU_IMAGE_DIR}")

# The command line and argument checks: no VM runs.
scalebench_test(qemu_driver_test
  SOURCES ${QEMU_DIR}/qemu_driver_test.cc ${QEMU_DIR}/qemu_driver_env_test.cc
  LIBS scalebench_worker_qemu scalebench_os_testing)

# Real guests under TCG, label `vm`. Their images are built (or found
# current, in about a second) once per ctest run by the fixture below;
# the first build downloads Debian's cloud kernel through apt.
add_test(NAME qemu_images
  COMMAND ${CMAKE_SOURCE_DIR}/deploy/images/build-qemu-images.sh
          ${SCALEBENCH_QEMU_IMAGE_DIR})
set_tests_properties(qemu_images PROPERTIES
  FIXTURES_SETUP qemu_images LABELS vm TIMEOUT 600)
scalebench_test(qemu_vm_test
  SOURCES ${QEMU_DIR}/qemu_vm_test.cc
  LIBS scalebench_worker_qemu scalebench_loadgen
  LABELS vm
  PROPERTIES FIXTURES_REQUIRED qemu_images TIMEOUT 300)
target_compile_definitions(qemu_vm_test PRIVATE
  SCALEBENCH_QEMU_IMAGE_DIR="${SCALEBENCH_QEMU_IMAGE_DIR}")
