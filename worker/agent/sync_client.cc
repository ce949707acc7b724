#include "worker/agent/sync_client.h"

#include <grpcpp/client_context.h>

#include <algorithm>
#include <iostream>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "api/synchronize_limits.h"
#include "common/grpc_status.h"
#include "common/proto_time.h"

namespace scalebench::worker {
namespace {

std::string RandomSessionId() {
  std::random_device device;
  return absl::StrFormat("%08x%08x", device(), device());
}

}  // namespace

absl::Duration BackoffDelay(int failures, absl::Duration min,
                            absl::Duration max) {
  absl::Duration delay = min;
  for (int i = 1; i < failures && delay < max; ++i) delay *= 2;
  return std::min(delay, max);
}

SyncClient::SyncClient(std::shared_ptr<grpc::Channel> channel,
                       SyncOptions options, v1::HostFacts facts, Spool* spool,
                       AssignmentExecutor* executor, Clock* clock)
    : stub_(v1::WorkerService::NewStub(std::move(channel))),
      options_(std::move(options)),
      facts_(std::move(facts)),
      spool_(spool),
      executor_(executor),
      clock_(clock) {
  if (options_.session_id.empty()) options_.session_id = RandomSessionId();
}

void SyncClient::StateChanged() {
  absl::MutexLock lock(&mu_);
  ++generation_;
  if (in_flight_ != nullptr) in_flight_->TryCancel();
}

absl::StatusOr<absl::Time> SyncClient::SynchronizeOnce() {
  uint64_t generation;
  {
    absl::MutexLock lock(&mu_);
    generation = generation_;
  }
  v1::SynchronizeRequest request;
  request.set_worker_id(options_.worker_id);
  request.set_session_id(options_.session_id);
  if (!facts_sent_) *request.mutable_facts() = facts_;
  *request.mutable_current() = executor_->Current();
  absl::StatusOr<std::vector<v1::WorkerResult>> spooled = spool_->List();
  if (!spooled.ok()) return spooled.status();
  const size_t batch = api::TakeResultBatch(*spooled);
  for (size_t i = 0; i < batch; ++i) *request.add_results() = (*spooled)[i];
  if (previous_sample_.has_value()) {
    v1::ClockSample* sample = request.mutable_previous_clock();
    *sample->mutable_t1() = TimeToProto(previous_sample_->t1);
    *sample->mutable_t2() = TimeToProto(previous_sample_->t2);
    *sample->mutable_t3() = TimeToProto(previous_sample_->t3);
    *sample->mutable_t4() = TimeToProto(previous_sample_->t4);
  }

  grpc::ClientContext context;
  context.set_deadline(
      absl::ToChronoTime(clock_->Wall() + options_.call_timeout));
  const absl::Time t1 = clock_->Wall();
  *request.mutable_send_time() = TimeToProto(t1);
  v1::SynchronizeResponse response;
  {
    absl::MutexLock lock(&mu_);
    // The state changed while the request was built: build it again.
    if (generation_ != generation) {
      return absl::AbortedError("the state changed");
    }
    in_flight_ = &context;
  }
  const grpc::Status status = stub_->Synchronize(&context, request, &response);
  const absl::Time t4 = clock_->Wall();
  bool superseded;
  {
    absl::MutexLock lock(&mu_);
    in_flight_ = nullptr;
    superseded = generation_ != generation;
  }
  if (!status.ok()) {
    // Ended by StateChanged: nothing failed, the next call says more. (The
    // response, had one crossed the cancel, is repeated by the
    // coordinator: acknowledgements and the desired state are idempotent.)
    if (superseded && status.error_code() == grpc::StatusCode::CANCELLED) {
      return absl::AbortedError("the state changed");
    }
    return FromGrpcStatus(status);
  }

  facts_sent_ = true;
  if (response.has_receive_time() && response.has_transmit_time()) {
    ClockSample sample{t1, TimeFromProto(response.receive_time()),
                       TimeFromProto(response.transmit_time()), t4};
    clock_sync_.Add(sample);
    previous_sample_ = sample;
  }
  // Acknowledged results are committed on the coordinator: drop them.
  for (const v1::ResultAck& ack : response.acknowledged()) {
    if (absl::Status s = spool_->Remove(ack.key(), ack.worker_id()); !s.ok()) {
      return s;
    }
  }
  if (response.has_desired()) executor_->Apply(response.desired(), clock_sync_);
  return TimeFromProto(response.next_synchronization_time());
}

void SyncClient::Run(absl::Notification& stop) {
  std::mt19937 random(std::random_device{}());
  int failures = 0;
  while (!stop.HasBeenNotified()) {
    absl::StatusOr<absl::Time> next = SynchronizeOnce();
    if (absl::IsAborted(next.status())) continue;
    if (options_.on_exchange) options_.on_exchange(next.status());
    if (next.ok()) {
      if (failures > 0) {
        std::cerr << "scalebench-worker: synchronizing again after " << failures
                  << " failed attempts\n";
      }
      failures = 0;
      continue;
    }
    ++failures;
    absl::Duration delay =
        BackoffDelay(failures, options_.min_backoff, options_.max_backoff);
    delay += delay * std::uniform_real_distribution<double>(0, 0.2)(random);
    if (failures == 1 || failures % 10 == 0) {
      std::cerr << "scalebench-worker: Synchronize failed ("
                << next.status().message() << "); retrying in "
                << absl::FormatDuration(delay) << "\n";
    }
    stop.WaitForNotificationWithTimeout(delay);
  }
}

}  // namespace scalebench::worker
