# Helpers shared by every folder's CMakeLists.txt.

# scalebench_test(NAME SOURCES... [LIBS libs...] [LABELS labels...]
#                 [PROPERTIES prop value...])
# Builds a GoogleTest binary into build/bin/tests/ and registers each of its
# test cases with ctest. LABELS mark tests that need root, docker, a VM or
# network namespaces, so a user without them can exclude them (ctest -LE).
# PROPERTIES are further ctest properties of every test case (RESOURCE_LOCK,
# TIMEOUT, ...).
function(scalebench_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS;PROPERTIES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
  # A test's own sources are built at -O1 (after the build type's -O3, so
  # it wins): the code under test is in the libraries and keeps -O3, while
  # GoogleTest's macro-heavy test bodies gain nothing from -O3 but compile
  # time, and they are about half of a fresh clone's 348 objects
  # (cli/fit_command_test.cc: 48 s of CPU at -O3, 30 s at -O1;
  # trial_scheduler_test.cc 17 s, 14 s).
  target_compile_options(${name} PRIVATE $<$<CONFIG:Release>:-O1>)
  set_target_properties(${name} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin/tests)
  set(properties ${ARG_PROPERTIES})
  if(ARG_LABELS)
    list(APPEND properties LABELS "${ARG_LABELS}")
  endif()
  if(properties)
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 PROPERTIES ${properties})
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30)
  endif()
endfunction()
