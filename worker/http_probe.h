// Readiness: a target or balancer is ready when it answers an HTTP GET of
// "/" with a 2xx status. Thread-safe.
#ifndef SCALEBENCH_WORKER_HTTP_PROBE_H_
#define SCALEBENCH_WORKER_HTTP_PROBE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace scalebench::worker {

// One GET http://ENDPOINT/ with a short timeout: OK on 2xx, UNAVAILABLE
// with what happened otherwise (refused, timed out, status 502, ...).
absl::Status ProbeHttp(const std::string& endpoint,
                       absl::Duration timeout = absl::Seconds(1));

// Probes `endpoint` every `interval` until it answers or `timeout` passes
// on `clock`. DEADLINE_EXCEEDED naming the endpoint and the last probe's
// error otherwise.
absl::Status WaitForHttp(const std::string& endpoint, absl::Duration timeout,
                         Clock& clock,
                         absl::Duration interval = absl::Milliseconds(50));

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_HTTP_PROBE_H_
