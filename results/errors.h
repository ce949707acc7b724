// What counts as an error in a load generator's result, and when a trial
// has too many to report a throughput. A request succeeded when it got a
// complete 2xx response; it failed with any other status, or with no
// complete response (connect, read, write, timeout and parse errors).
// Throughput counts successes only (results/trial_result.h). Stateless;
// thread-safe.
#ifndef SCALEBENCH_RESULTS_ERRORS_H_
#define SCALEBENCH_RESULTS_ERRORS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "scalebench/v1/results.pb.h"

namespace scalebench::results {

// Requests sent in the window that got a complete 2xx response.
uint64_t Successes(const v1::LoadgenResult& load);

// Requests sent in the window that failed: completed with another status,
// or without a complete response.
uint64_t Failures(const v1::LoadgenResult& load);

// Requests sent in the window that completed or failed: successes +
// failures. 0 when the window saw neither (a stall).
uint64_t Sent(const v1::LoadgenResult& load);

// Failures / Sent, from 0 to 1; 0 with no request.
double ErrorRate(const v1::LoadgenResult& load);

// Why a trial whose merged result is `merged` cannot pass its throughput
// off as the service's, or nullopt: no request succeeded, or the error rate
// is above `max_error_rate`. Nullopt too when no request completed or
// failed at all (a stall, not an error rate; the caller decides). Names the
// statuses seen, most frequent first, and the kinds of failure without a
// response, e.g. "none of the 12034 requests succeeded (2xx): status 404
// (12034)", or "30 of 1000 requests failed (3%, more than
// loadgen.max_error_rate 1%): status 503 (28), timeouts (2)".
std::optional<std::string> ExcessErrorsReason(const v1::LoadgenResult& merged,
                                              double max_error_rate);

}  // namespace scalebench::results

#endif  // SCALEBENCH_RESULTS_ERRORS_H_
