# PLATFORM_XEN in one place: its description (xen_platform.cc,
# platform.h), the worker's part (xen_driver_factory.cc, driver_factory.h)
# and the driver itself, xl domain configs and the driver that runs `xl` in
# a Xen host's dom0 (xen_driver.h, docs/xen.md). Included from
# platforms/CMakeLists.txt.
set(XEN_DIR ${CMAKE_CURRENT_LIST_DIR})
scalebench_platform(xen
  DRIVER_SOURCES xen_domains.cc xen_driver.cc xl_config.cc)

# The config tests parse every generated config with Xen's own parser,
# libxlutil (Debian's libxen-dev), and read the values back.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SCALEBENCH_XLUTIL REQUIRED IMPORTED_TARGET xlutil xenlight)

scalebench_test(worker_xen_test
  SOURCES ${XEN_DIR}/xl_config_test.cc ${XEN_DIR}/xl_parse_testing.cc
          ${XEN_DIR}/xen_driver_test.cc
  LIBS scalebench_worker_xen scalebench_os_testing PkgConfig::SCALEBENCH_XLUTIL)
