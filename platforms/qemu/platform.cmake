# PLATFORM_QEMU: its description and the worker's part (platform.h,
# driver_factory.h). Included from platforms/CMakeLists.txt.
target_sources(scalebench_platforms PRIVATE ${CMAKE_CURRENT_LIST_DIR}/qemu_platform.cc)
target_sources(scalebench_platform_drivers PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/qemu_driver_factory.cc)
target_link_libraries(scalebench_platform_drivers PUBLIC scalebench_worker_qemu)
# Where the worker finds the qemu guests' images unless told otherwise.
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/qemu_driver_factory.cc
  PROPERTIES COMPILE_DEFINITIONS
  SCALEBENCH_QEMU_IMAGE_DIR="${CMAKE_BINARY_DIR}/images/qemu")
