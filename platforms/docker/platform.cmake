# PLATFORM_DOCKER: its description and the worker's part (platform.h,
# driver_factory.h). Included from platforms/CMakeLists.txt.
target_sources(scalebench_platforms PRIVATE ${CMAKE_CURRENT_LIST_DIR}/docker_platform.cc)
target_sources(scalebench_platform_drivers PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/docker_driver_factory.cc)
target_link_libraries(scalebench_platform_drivers PUBLIC scalebench_worker_docker)
