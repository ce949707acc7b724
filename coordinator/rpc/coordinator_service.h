// CoordinatorService on the callback API: the experiments and workers the
// Store and the WorkerRegistry hold, as the API in coordinator.proto shows
// them; the Scheduler moves them. WatchExperiment polls the store for new
// events. A cancel with no trial running cancels at once; otherwise it
// marks the experiment CANCELLING and the scheduler finishes it. Schedules
// are stored and read here; the NightlyRunner fires them. The service is
// for users: every method first refuses a caller whose certificate is a
// worker's with PERMISSION_DENIED (CheckUserIdentity; docs/security.md).
// Thread-safe.
#ifndef SCALEBENCH_COORDINATOR_RPC_COORDINATOR_SERVICE_H_
#define SCALEBENCH_COORDINATOR_RPC_COORDINATOR_SERVICE_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "coordinator/rpc/worker_service.h"
#include "coordinator/store/stores.h"
#include "scalebench/v1/coordinator.grpc.pb.h"

namespace scalebench::coordinator {

struct CoordinatorServiceOptions {
  // How often an open WatchExperiment stream looks for new events in the
  // store. Default 200 ms.
  absl::Duration watch_poll_interval = absl::Milliseconds(200);
};

class WatchReactor;

class CoordinatorServiceImpl final
    : public v1::CoordinatorService::CallbackService {
 public:
  // Neither may be null; both outlive the service. Starts the thread that
  // wakes open WatchExperiment streams.
  CoordinatorServiceImpl(Stores* store, WorkerRegistry* registry,
                         CoordinatorServiceOptions options = {});
  CoordinatorServiceImpl(const CoordinatorServiceImpl&) = delete;
  CoordinatorServiceImpl& operator=(const CoordinatorServiceImpl&) = delete;
  // Shutdown(), then joins the poll thread.
  ~CoordinatorServiceImpl() override;

  // Ends every open WatchExperiment stream with UNAVAILABLE and refuses new
  // ones and every other call the same way, so that a client never finds a
  // coordinator going away answering one call and refusing the next. Call
  // before grpc::Server::Shutdown, which waits for open streams. Idempotent.
  void Shutdown();

  // How many WatchExperiment streams are open. Test-only.
  int TEST_OpenWatches() const;

  grpc::ServerUnaryReactor* CreateExperiment(
      grpc::CallbackServerContext* context,
      const v1::CreateExperimentRequest* request,
      v1::CreateExperimentResponse* response) override;
  grpc::ServerUnaryReactor* GetExperiment(
      grpc::CallbackServerContext* context,
      const v1::GetExperimentRequest* request,
      v1::GetExperimentResponse* response) override;
  grpc::ServerUnaryReactor* ListExperiments(
      grpc::CallbackServerContext* context,
      const v1::ListExperimentsRequest* request,
      v1::ListExperimentsResponse* response) override;
  grpc::ServerWriteReactor<v1::WatchExperimentResponse>* WatchExperiment(
      grpc::CallbackServerContext* context,
      const v1::WatchExperimentRequest* request) override;
  grpc::ServerUnaryReactor* CancelExperiment(
      grpc::CallbackServerContext* context,
      const v1::CancelExperimentRequest* request,
      v1::CancelExperimentResponse* response) override;
  grpc::ServerUnaryReactor* ListWorkers(
      grpc::CallbackServerContext* context,
      const v1::ListWorkersRequest* request,
      v1::ListWorkersResponse* response) override;
  grpc::ServerWriteReactor<v1::ExportResultsResponse>* ExportResults(
      grpc::CallbackServerContext* context,
      const v1::ExportResultsRequest* request) override;

  // Schedules (schedule_service.cc).
  grpc::ServerUnaryReactor* CreateSchedule(
      grpc::CallbackServerContext* context,
      const v1::CreateScheduleRequest* request,
      v1::CreateScheduleResponse* response) override;
  grpc::ServerUnaryReactor* GetSchedule(
      grpc::CallbackServerContext* context,
      const v1::GetScheduleRequest* request,
      v1::GetScheduleResponse* response) override;
  grpc::ServerUnaryReactor* ListSchedules(
      grpc::CallbackServerContext* context,
      const v1::ListSchedulesRequest* request,
      v1::ListSchedulesResponse* response) override;
  grpc::ServerUnaryReactor* SetSchedulePaused(
      grpc::CallbackServerContext* context,
      const v1::SetSchedulePausedRequest* request,
      v1::SetSchedulePausedResponse* response) override;
  grpc::ServerUnaryReactor* DeleteSchedule(
      grpc::CallbackServerContext* context,
      const v1::DeleteScheduleRequest* request,
      v1::DeleteScheduleResponse* response) override;
  grpc::ServerUnaryReactor* RunSchedule(
      grpc::CallbackServerContext* context,
      const v1::RunScheduleRequest* request,
      v1::RunScheduleResponse* response) override;
  grpc::ServerUnaryReactor* ListScheduleRuns(
      grpc::CallbackServerContext* context,
      const v1::ListScheduleRunsRequest* request,
      v1::ListScheduleRunsResponse* response) override;

 private:
  friend class WatchReactor;

  // UNAVAILABLE after Shutdown, else OK.
  absl::Status Accepting() const;
  // AnswerUser, but UNAVAILABLE without running `body` after Shutdown.
  grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* context,
                                   absl::FunctionRef<absl::Status()> body);

  // Registers a new stream; false after Shutdown.
  bool AddWatch(WatchReactor* watch);
  // Forgets a stream (from its OnDone).
  void RemoveWatch(WatchReactor* watch);
  // Asks for `watch` to be polled after the next interval.
  void WaitForEvents(WatchReactor* watch);
  void PollLoop();

  Stores* const store_;
  WorkerRegistry* const registry_;
  const CoordinatorServiceOptions options_;

  mutable absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  // Every open stream, and those waiting for the next poll.
  absl::flat_hash_set<WatchReactor*> watches_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<WatchReactor*> waiting_ ABSL_GUARDED_BY(mu_);
  std::thread poller_;
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_RPC_COORDINATOR_SERVICE_H_
