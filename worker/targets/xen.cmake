# The xen platform: xl domain configs and the driver that runs `xl` in a
# Xen host's dom0 (docs/xen.md). Paths are relative to worker/.
add_library(scalebench_worker_xen STATIC
  targets/xen_domains.cc
  targets/xen_driver.cc
  targets/xl_config.cc)
target_link_libraries(scalebench_worker_xen PUBLIC
  scalebench_worker_core scalebench_common scalebench_os scalebench_proto
  absl::status absl::statusor absl::strings absl::str_format absl::time)

# The config tests parse every generated config with Xen's own parser,
# libxlutil (Debian's libxen-dev), and read the values back.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SCALEBENCH_XLUTIL REQUIRED IMPORTED_TARGET xlutil xenlight)

scalebench_test(worker_xen_test
  SOURCES targets/xl_config_test.cc targets/xl_parse_testing.cc
          targets/xen_driver_test.cc
  LIBS scalebench_worker_xen scalebench_os_testing PkgConfig::SCALEBENCH_XLUTIL)
