# PLATFORM_DOCKER in one place: its description (docker_platform.cc,
# platform.h), the worker's part (docker_driver_factory.cc,
# driver_factory.h) and the driver itself, a Docker Engine API client over
# the engine's unix socket (common/http_client.h) and the TargetDriver
# (docker_driver.h). Included from platforms/CMakeLists.txt.
set(DOCKER_DIR ${CMAKE_CURRENT_LIST_DIR})
scalebench_platform(docker
  DRIVER_SOURCES docker_client.cc docker_containers.cc docker_driver.cc
  DRIVER_LIBS scalebench_http_client)
target_link_libraries(scalebench_worker_docker PRIVATE
  nlohmann_json::nlohmann_json)
# The default image is built by the script in this source tree.
target_compile_definitions(scalebench_worker_docker PRIVATE
  SCALEBENCH_DOCKER_IMAGE_SCRIPT="${CMAKE_SOURCE_DIR}/deploy/images/build-nginx-image.sh")

# Without an engine: what Plan() asks of one.
scalebench_test(docker_driver_test
  SOURCES ${DOCKER_DIR}/docker_driver_test.cc
  LIBS scalebench_worker_docker scalebench_os_testing nlohmann_json::nlohmann_json)

# Against a real engine: a private dockerd (deploy/docker/private-dockerd.sh)
# under a temp dir, started by the setup test and stopped by the cleanup
# test whatever the tests between did. Root only; label `docker`.
string(MD5 SCALEBENCH_DOCKER_DIR_HASH "${CMAKE_BINARY_DIR}")
string(SUBSTRING "${SCALEBENCH_DOCKER_DIR_HASH}" 0 10 SCALEBENCH_DOCKER_DIR_HASH)
set(SCALEBENCH_TEST_DOCKER_DIR /tmp/scalebench-dockerd-${SCALEBENCH_DOCKER_DIR_HASH})
set(SCALEBENCH_PRIVATE_DOCKERD ${CMAKE_SOURCE_DIR}/deploy/docker/private-dockerd.sh)
add_test(NAME docker_engine_start
  COMMAND ${SCALEBENCH_PRIVATE_DOCKERD} start ${SCALEBENCH_TEST_DOCKER_DIR})
add_test(NAME docker_engine_stop
  COMMAND ${SCALEBENCH_PRIVATE_DOCKERD} stop ${SCALEBENCH_TEST_DOCKER_DIR})
set_tests_properties(docker_engine_start PROPERTIES
  FIXTURES_SETUP docker_engine LABELS docker)
set_tests_properties(docker_engine_stop PROPERTIES
  FIXTURES_CLEANUP docker_engine LABELS docker)
# The engine tests load both cores (containers and the load generator), so
# they share the load generator's lock.
scalebench_test(docker_engine_test
  SOURCES ${DOCKER_DIR}/docker_engine_test.cc
  LIBS scalebench_worker_docker scalebench_loadgen scalebench_test_support
       scalebench_http_client
  LABELS docker
  PROPERTIES FIXTURES_REQUIRED docker_engine RESOURCE_LOCK loadgen_cpu
    ENVIRONMENT SCALEBENCH_TEST_DOCKER_HOST=unix://${SCALEBENCH_TEST_DOCKER_DIR}/docker.sock)
target_compile_definitions(docker_engine_test PRIVATE
  SCALEBENCH_PRIVATE_DOCKERD="${SCALEBENCH_PRIVATE_DOCKERD}")
