// CoordinatorService's schedule calls: thin over the Store and
// schedule_rules.h.
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "api/resource_names.h"
#include "common/status_macros.h"
#include "coordinator/nightly/nightly_schedule_rules.h"
#include "coordinator/rpc/coordinator_service.h"
#include "coordinator/rpc/user_call.h"
#include "coordinator/trials/random_seed.h"

namespace scalebench::coordinator {
namespace {

// The id in a request's `name`, the field named in the error.
absl::StatusOr<std::string> ScheduleId(const std::string& name) {
  absl::StatusOr<std::string> id = api::ParseScheduleName(name);
  if (!id.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("name: ", id.status().message()));
  }
  return id;
}

}  // namespace

grpc::ServerUnaryReactor* CoordinatorServiceImpl::CreateSchedule(
    grpc::CallbackServerContext* context,
    const v1::CreateScheduleRequest* request,
    v1::CreateScheduleResponse* response) {
  return AnswerUser(context, [&]() -> absl::Status {
    const v1::Schedule& schedule = request->schedule();
    RETURN_IF_ERROR(ValidateSchedule(schedule));
    if (!schedule.baseline().empty()) {
      ASSIGN_OR_RETURN(std::string baseline,
                       api::ParseExperimentName(schedule.baseline()));
      absl::StatusOr<v1::Experiment> found =
          store_->experiments().GetExperiment(baseline,
                                              v1::EXPERIMENT_VIEW_BASIC);
      if (!found.ok()) {
        return absl::Status(
            found.status().code(),
            absl::StrCat("baseline: ", found.status().message()));
      }
    }
    ASSIGN_OR_RETURN(StoredSchedule stored,
                     store_->schedules().CreateSchedule(schedule));
    *response->mutable_schedule() = WithNextRunTime(stored);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::GetSchedule(
    grpc::CallbackServerContext* context, const v1::GetScheduleRequest* request,
    v1::GetScheduleResponse* response) {
  return AnswerUser(context, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string id, ScheduleId(request->name()));
    ASSIGN_OR_RETURN(StoredSchedule stored,
                     store_->schedules().GetSchedule(id));
    *response->mutable_schedule() = WithNextRunTime(stored);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::ListSchedules(
    grpc::CallbackServerContext* context,
    const v1::ListSchedulesRequest* /*request*/,
    v1::ListSchedulesResponse* response) {
  return AnswerUser(context, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<StoredSchedule> schedules,
                     store_->schedules().ListSchedules());
    for (const StoredSchedule& stored : schedules) {
      *response->add_schedules() = WithNextRunTime(stored);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::SetSchedulePaused(
    grpc::CallbackServerContext* context,
    const v1::SetSchedulePausedRequest* request,
    v1::SetSchedulePausedResponse* response) {
  return AnswerUser(context, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string id, ScheduleId(request->name()));
    ASSIGN_OR_RETURN(
        StoredSchedule stored,
        store_->schedules().SetSchedulePaused(id, request->paused()));
    *response->mutable_schedule() = WithNextRunTime(stored);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::DeleteSchedule(
    grpc::CallbackServerContext* context,
    const v1::DeleteScheduleRequest* request,
    v1::DeleteScheduleResponse* /*response*/) {
  return AnswerUser(context, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string id, ScheduleId(request->name()));
    return store_->schedules().DeleteSchedule(id);
  });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::RunSchedule(
    grpc::CallbackServerContext* context, const v1::RunScheduleRequest* request,
    v1::RunScheduleResponse* response) {
  return AnswerUser(context, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string id, ScheduleId(request->name()));
    Firing firing;
    firing.manual = true;
    firing.seed = RandomSeed();
    firing.request_id = request->request_id();
    ASSIGN_OR_RETURN(*response->mutable_run(),
                     store_->schedules().FireSchedule(id, firing));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::ListScheduleRuns(
    grpc::CallbackServerContext* context,
    const v1::ListScheduleRunsRequest* request,
    v1::ListScheduleRunsResponse* response) {
  return AnswerUser(context, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string id, ScheduleId(request->name()));
    ASSIGN_OR_RETURN(std::vector<v1::ScheduleRun> runs,
                     store_->schedules().ListScheduleRuns(id));
    for (v1::ScheduleRun& run : runs) *response->add_runs() = std::move(run);
    return absl::OkStatus();
  });
}

}  // namespace scalebench::coordinator
