#include "platforms/docker/docker_containers.h"

#include <algorithm>
#include <regex>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace scalebench::worker {
namespace {

absl::Status IgnoreNotFound(absl::Status status) {
  return absl::IsNotFound(status) ? absl::OkStatus() : status;
}

}  // namespace

bool IsContainerName(const std::string& name) {
  static const std::regex pattern("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
  return std::regex_match(name, pattern);
}

DockerContainers::DockerContainers(const WorkerContext& context,
                                   DockerClient& client,
                                   absl::Duration stop_grace)
    : Instances(context), client_(client), stop_grace_(stop_grace) {}

std::string DockerContainers::Dir(const std::string& id) const {
  return absl::StrCat(context().runtime(), "/targets/", id);
}

absl::Status DockerContainers::Stop(const std::string& id) {
  if (!IsContainerName(id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("target id \"", id, "\" is not a container name"));
  }
  absl::StatusOr<ContainerInfo> info = client_.InspectContainer(id);
  if (info.ok()) {
    auto owner = info->labels.find(kDockerOwnerLabel);
    if (owner == info->labels.end() || owner->second != context().owner) {
      return absl::FailedPreconditionError(
          absl::StrCat("container ", id, " is not this worker's (",
                       kDockerOwnerLabel, " is not ", context().owner, ")"));
    }
    if (info->running) {
      RETURN_IF_ERROR(IgnoreNotFound(client_.StopContainer(id, stop_grace_)));
    }
    RETURN_IF_ERROR(IgnoreNotFound(client_.RemoveContainer(id, true)));
  } else if (!absl::IsNotFound(info.status())) {
    return info.status();
  }
  (void)context().env->RemoveTree(Dir(id));
  return absl::OkStatus();
}

absl::Status DockerContainers::Recover() {
  ASSIGN_OR_RETURN(std::vector<ContainerSummary> containers,
                   client_.ListContainers(kDockerOwnerLabel, context().owner));
  absl::Status result;
  for (const ContainerSummary& container : containers) {
    result.Update(IgnoreNotFound(client_.RemoveContainer(container.id, true)));
    if (IsContainerName(container.name)) {
      (void)context().env->RemoveTree(Dir(container.name));
    }
  }
  return result;
}

absl::StatusOr<std::optional<Termination>> DockerContainers::Terminated(
    const std::string& id) {
  if (!IsContainerName(id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("target id \"", id, "\" is not a container name"));
  }
  absl::StatusOr<ContainerInfo> info = client_.InspectContainer(id);
  Termination termination;
  if (absl::IsNotFound(info.status())) {
    // Stop() and Recover() remove the containers they stop.
    termination.reason = Termination::Reason::kStopped;
    return termination;
  }
  if (!info.ok()) return info.status();
  if (info->running || info->status == "created") return std::nullopt;
  termination.reason = Termination::Reason::kExited;
  termination.exit_code = info->exit_code;
  return termination;
}

absl::StatusOr<std::vector<std::string>> DockerContainers::List() {
  ASSIGN_OR_RETURN(std::vector<ContainerSummary> containers,
                   client_.ListContainers(kDockerOwnerLabel, context().owner));
  std::vector<std::string> ids;
  for (const ContainerSummary& container : containers) {
    ids.push_back(container.name);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace scalebench::worker
