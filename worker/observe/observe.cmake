# The balancer host's observer of each load generator's first request
# (start_observer.h): the bookkeeping, the cooked-header parsing and the
# observer's logic over a capture interface, and the capture itself with
# libpcap (Debian's libpcap-dev, deploy/install-deps.sh).
find_package(PkgConfig REQUIRED)
pkg_check_modules(SCALEBENCH_LIBPCAP REQUIRED IMPORTED_TARGET libpcap)

add_library(scalebench_worker_observe STATIC
  observe/cooked_header.cc
  observe/first_requests.cc
  observe/pcap_packet_source.cc
  observe/start_observer.cc)
target_link_libraries(scalebench_worker_observe
  PUBLIC scalebench_common scalebench_proto
         absl::status absl::statusor absl::strings absl::synchronization
         absl::time Threads::Threads
  PRIVATE PkgConfig::SCALEBENCH_LIBPCAP)

# Test doubles of the capture, cooked frames to parse and filter, and
# sources and observations to compare (test-only).
add_library(scalebench_worker_observe_testing STATIC
  observe/testing/cooked_frames.cc
  observe/testing/fake_capture.cc
  observe/testing/observed_starts.cc)
target_link_libraries(scalebench_worker_observe_testing PUBLIC
  scalebench_worker_observe PkgConfig::SCALEBENCH_LIBPCAP absl::synchronization)

# Unit tests on fakes, the capture filter compiled and run by libpcap
# without capturing, and one capture on loopback, which skips itself
# without CAP_NET_RAW.
scalebench_test(worker_observe_test
  SOURCES observe/cooked_header_test.cc observe/first_requests_test.cc
          observe/pcap_packet_source_test.cc observe/start_observer_test.cc
  LIBS scalebench_worker_observe_testing)
