// Readiness: a target or balancer is ready when it answers an HTTP GET of
// "/" with a 2xx status. Thread-safe.
//
// The probe speaks raw HTTP/1.1 over a socket instead of going through
// common/http_client.h (libcurl), for measured reasons
// (bench/http_probe_cost.sh, 2026-12-07, a shared 2-core host, 2,000
// probes of a local 200 answer, two runs): the raw probe cost 113 and
// 120 us a probe, libcurl 297 and 264 us (2.2 to 2.6 times as much; small
// beside the 50 ms between probes, so cost alone would not keep it); and
// libcurl 7.88 reports a refused and an unreachable port alike ("Couldn't
// connect to server"), where this probe says "Connection refused" or
// "timed out" (http_probe_test.cc asserts it), which is what an operator
// needs when a target does not come up.
#ifndef SCALEBENCH_WORKER_HTTP_PROBE_H_
#define SCALEBENCH_WORKER_HTTP_PROBE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace scalebench::worker {

// One GET http://ENDPOINT/ answered within `timeout` on `clock`: OK on
// 2xx, UNAVAILABLE with what happened otherwise (refused, timed out,
// status 502, ...); INVALID_ARGUMENT when ENDPOINT is not host:port.
absl::Status ProbeHttp(const std::string& endpoint, Clock& clock,
                       absl::Duration timeout = absl::Seconds(1));

// Probes `endpoint` every `interval` until it answers or `timeout` passes
// on `clock`. DEADLINE_EXCEEDED naming the endpoint and the last probe's
// error otherwise.
absl::Status WaitForHttp(const std::string& endpoint, absl::Duration timeout,
                         Clock& clock,
                         absl::Duration interval = absl::Milliseconds(50));

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_HTTP_PROBE_H_
