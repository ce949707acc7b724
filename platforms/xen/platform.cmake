# PLATFORM_XEN in one place: its description (xen_platform.cc,
# platform.h), the worker's part (xen_driver_factory.cc, driver_factory.h)
# and the driver itself, xl domain configs and the driver that runs `xl` in
# a Xen host's dom0 (xen_driver.h, docs/xen.md). Included from
# platforms/CMakeLists.txt.
set(XEN_DIR ${CMAKE_CURRENT_LIST_DIR})
target_sources(scalebench_platforms PRIVATE ${XEN_DIR}/xen_platform.cc)
target_sources(scalebench_platform_drivers PRIVATE
  ${XEN_DIR}/xen_driver_factory.cc)
target_link_libraries(scalebench_platform_drivers PUBLIC scalebench_worker_xen)

add_library(scalebench_worker_xen STATIC
  ${XEN_DIR}/xen_domains.cc
  ${XEN_DIR}/xen_driver.cc
  ${XEN_DIR}/xl_config.cc)
# The worker's core brings the OS seam, the protos and Abseil.
target_link_libraries(scalebench_worker_xen PUBLIC scalebench_worker_core)

# The config tests parse every generated config with Xen's own parser,
# libxlutil (Debian's libxen-dev), and read the values back.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SCALEBENCH_XLUTIL REQUIRED IMPORTED_TARGET xlutil xenlight)

scalebench_test(worker_xen_test
  SOURCES ${XEN_DIR}/xl_config_test.cc ${XEN_DIR}/xl_parse_testing.cc
          ${XEN_DIR}/xen_driver_test.cc
  LIBS scalebench_worker_xen scalebench_os_testing PkgConfig::SCALEBENCH_XLUTIL)
