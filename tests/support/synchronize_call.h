// Test-only: an idle worker's WorkerService.Synchronize call, for tests of
// a coordinator (in process or the binary) and of the TLS identities that
// reach it. Header-only. Stateless; thread-safe.
#ifndef SCALEBENCH_TESTS_SUPPORT_SYNCHRONIZE_CALL_H_
#define SCALEBENCH_TESTS_SUPPORT_SYNCHRONIZE_CALL_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <chrono>
#include <memory>
#include <string>

#include "scalebench/v1/worker.grpc.pb.h"

namespace scalebench::testing {

// An idle worker's Synchronize call as `worker_id` (session "s1") over
// `channel`, waiting at most 10 s; `previous_clock` goes with it when not
// null. Returns the call's status.
inline grpc::Status SynchronizeIdle(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& worker_id,
    const v1::ClockSample* previous_clock = nullptr) {
  auto stub = v1::WorkerService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::SynchronizeRequest request;
  request.set_worker_id(worker_id);
  request.set_session_id("s1");
  request.mutable_current()->mutable_idle();
  if (previous_clock != nullptr) {
    *request.mutable_previous_clock() = *previous_clock;
  }
  v1::SynchronizeResponse response;
  return stub->Synchronize(&context, request, &response);
}

}  // namespace scalebench::testing

#endif  // SCALEBENCH_TESTS_SUPPORT_SYNCHRONIZE_CALL_H_
