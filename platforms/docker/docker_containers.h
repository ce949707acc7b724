// The Docker containers of one worker: each is named by its target id and
// labelled scalebench.owner=<WorkerContext::owner>, so the engine lists
// exactly this worker's; its config and page live in the state dir
// (targets/<id>/). The Instances of the docker driver. Thread-compatible;
// non-copyable.
#ifndef SCALEBENCH_PLATFORMS_DOCKER_DOCKER_CONTAINERS_H_
#define SCALEBENCH_PLATFORMS_DOCKER_DOCKER_CONTAINERS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "platforms/docker/docker_client.h"
#include "worker/driver.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

// The label every container of a worker carries: its value is
// WorkerContext::owner.
inline constexpr char kDockerOwnerLabel[] = "scalebench.owner";

// Whether the engine accepts `name` as a container name and it can stand
// in a URL path unescaped: [A-Za-z0-9][A-Za-z0-9_.-]{0,127}.
bool IsContainerName(const std::string& name);

class DockerContainers final : public Instances {
 public:
  // `client` must outlive this. Stop() lets nginx shut down for
  // `stop_grace` before it is killed.
  DockerContainers(const WorkerContext& context, DockerClient& client,
                   absl::Duration stop_grace);

  // RUNTIME/targets/<id>, where a container's config and page live.
  std::string Dir(const std::string& id) const;

  // Removes (force) every container labelled with this worker's owner,
  // whatever its state, and their state dirs; nobody else's.
  absl::Status Recover() override;

  // Stops and removes the container and its state dir. OK when it is
  // already gone; FAILED_PRECONDITION for a container of another owner.
  absl::Status Stop(const std::string& id) override;

  // Names of this worker's containers, running or not, sorted.
  absl::StatusOr<std::vector<std::string>> List() override;

  // nullopt while the container runs; kExited with its exit code once it
  // has exited; kStopped once it is removed (Stop(), Recover()).
  absl::StatusOr<std::optional<Termination>> Terminated(
      const std::string& id) override;

 private:
  DockerClient& client_;
  const absl::Duration stop_grace_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_PLATFORMS_DOCKER_DOCKER_CONTAINERS_H_
