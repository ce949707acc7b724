# Helpers shared by every folder's CMakeLists.txt.

# scalebench_test(NAME SOURCES... [LIBS libs...] [LABELS labels...])
# Builds a GoogleTest binary into build/bin/tests/ and registers each of its
# test cases with ctest. LABELS mark tests that need root, docker, a VM or
# network namespaces, so a user without them can exclude them (ctest -LE).
function(scalebench_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
  set_target_properties(${name} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin/tests)
  if(ARG_LABELS)
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 PROPERTIES LABELS "${ARG_LABELS}")
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30)
  endif()
endfunction()
