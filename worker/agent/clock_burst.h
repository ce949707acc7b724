// The worker's measurement of its clock against the coordinator's: a burst
// of ExchangeClock calls, back to back, of which the one with the smallest
// round trip gives the offset (results/clock_offsets.h says why its
// uncertainty is half that round trip). The executor runs one burst after
// preparing, before it reports Ready (T0 is converted with it), and one
// after the measurement window (the drift between them is checked).
#ifndef SCALEBENCH_WORKER_AGENT_CLOCK_BURST_H_
#define SCALEBENCH_WORKER_AGENT_CLOCK_BURST_H_

#include <grpcpp/channel.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "results/clock_offsets.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::worker {

// What the executor measures its clock with; a fake in tests.
class ClockProbe {
 public:
  virtual ~ClockProbe() = default;
  // One burst; an error when no exchange answered.
  virtual absl::StatusOr<v1::ClockOffset> Burst() = 0;
};

// One exchange: t1 and t4 read on the worker's clock just before the call
// and just after its answer, t2 and t3 from the answer.
using ClockExchange = std::function<absl::StatusOr<results::ClockSample>()>;

// ExchangeClock on `channel` as `worker_id`, each call bounded by
// `timeout`. Thread-safe; `clock` outlives it.
ClockExchange GrpcClockExchange(std::shared_ptr<grpc::Channel> channel,
                                std::string worker_id, Clock* clock,
                                absl::Duration timeout = absl::Seconds(1));

class ClockBurst final : public ClockProbe {
 public:
  // Exchanges per burst: 16 back to back take a few ms on a LAN, and the
  // shortest of 16 round trips is rarely one a queue lengthened.
  static constexpr int kExchanges = 16;

  explicit ClockBurst(ClockExchange exchange, int exchanges = kExchanges);

  // Makes `exchanges` exchanges (a failed one counts: a burst is bounded
  // by exchanges x the call timeout) and returns the offset of the best;
  // UNAVAILABLE with the last error when none answered.
  absl::StatusOr<v1::ClockOffset> Burst() override;

 private:
  ClockExchange exchange_;
  const int exchanges_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_AGENT_CLOCK_BURST_H_
