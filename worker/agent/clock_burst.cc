#include "worker/agent/clock_burst.h"

#include <grpcpp/client_context.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/proto_time.h"
#include "scalebench/v1/worker.grpc.pb.h"

namespace scalebench::worker {

ClockExchange GrpcClockExchange(std::shared_ptr<grpc::Channel> channel,
                                std::string worker_id, Clock* clock,
                                absl::Duration timeout) {
  std::shared_ptr<v1::WorkerService::Stub> stub =
      v1::WorkerService::NewStub(std::move(channel));
  return [stub, worker_id = std::move(worker_id), clock,
          timeout]() -> absl::StatusOr<results::ClockSample> {
    v1::ExchangeClockRequest request;
    request.set_worker_id(worker_id);
    v1::ExchangeClockResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(clock->Wall() + timeout));
    // Everything but the call itself is done before t1 and after t4.
    const absl::Time t1 = clock->Wall();
    const grpc::Status status =
        stub->ExchangeClock(&context, request, &response);
    const absl::Time t4 = clock->Wall();
    if (!status.ok()) return FromGrpcStatus(status);
    if (!response.has_receive_time() || !response.has_transmit_time()) {
      return absl::InternalError(
          "ExchangeClock answered without receive_time and transmit_time");
    }
    return results::ClockSample{t1, TimeFromProto(response.receive_time()),
                                TimeFromProto(response.transmit_time()), t4};
  };
}

ClockBurst::ClockBurst(ClockExchange exchange, int exchanges)
    : exchange_(std::move(exchange)), exchanges_(exchanges) {}

absl::StatusOr<v1::ClockOffset> ClockBurst::Burst() {
  std::vector<results::ClockSample> samples;
  absl::Status last = absl::OkStatus();
  for (int i = 0; i < exchanges_; ++i) {
    absl::StatusOr<results::ClockSample> sample = exchange_();
    if (sample.ok()) {
      samples.push_back(*sample);
    } else {
      last = sample.status();
    }
  }
  std::optional<v1::ClockOffset> offset = results::OffsetFromBurst(samples);
  if (offset.has_value()) return *std::move(offset);
  return absl::UnavailableError(absl::StrCat(
      "no clock exchange with the coordinator answered in ", exchanges_,
      " tries", last.ok() ? "" : absl::StrCat(" (", last.message(), ")")));
}

}  // namespace scalebench::worker
