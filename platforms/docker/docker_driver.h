// The docker platform: each target is an nginx container on the host's
// network, pinned with a cpuset and capped with a memory limit, named by
// the target's id and labelled scalebench.owner=<WorkerContext::owner>, so
// List() and Recover() see exactly this worker's containers
// (DockerContainers, docker_containers.h, answers Recover, WaitReady,
// which fails as soon as nginx exits, Stop, List and Terminated). Its nginx
// config and page live in the state dir (targets/<id>/) and are mounted
// read-only. Without a registry, the default image (scalebench/nginx:<hash>)
// is built from local packages by deploy/images/build-nginx-image.sh and
// imported when the engine lacks it. Thread-compatible.
#ifndef SCALEBENCH_PLATFORMS_DOCKER_DOCKER_DRIVER_H_
#define SCALEBENCH_PLATFORMS_DOCKER_DOCKER_DRIVER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "platforms/docker/docker_client.h"
#include "platforms/docker/docker_containers.h"
#include "worker/targets/target_driver.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

// The engine a --docker-host flag names: the flag when not empty, else
// DefaultDockerHost() ($DOCKER_HOST, else unix:///var/run/docker.sock).
std::string ResolveDockerHost(const std::string& flag);

struct DockerDriverOptions {
  // The engine, "unix:///path". Default: ResolveDockerHost("").
  std::string docker_host = ResolveDockerHost("");
  // The image of targets whose TargetLaunch::image is empty. Default "":
  // scalebench/nginx:<hash>, as image_script --print-tag names it.
  std::string default_image;
  // deploy/images/build-nginx-image.sh. Default: the one in the source
  // tree this binary was built from.
  std::string image_script;
  // Where image_script caches the image's tar. Default "": the state
  // dir's images/.
  std::string image_cache_dir;
  // How long Stop() lets nginx shut down before it is killed. Default 2 s.
  absl::Duration stop_grace = absl::Seconds(2);
  // How long image_script may run (it builds the image from packages the
  // first time) before it is killed. Default 10 min.
  absl::Duration image_script_timeout = absl::Minutes(10);
};

class DockerDriver final : public TargetDriver {
 public:
  // A driver for `context`'s worker. Connects lazily: INVALID_ARGUMENT
  // only for a malformed docker host or an owner that is not a valid
  // label value.
  static absl::StatusOr<std::unique_ptr<DockerDriver>> Create(
      const WorkerContext& context, DockerDriverOptions options = {});

  DockerDriver(const DockerDriver&) = delete;
  DockerDriver& operator=(const DockerDriver&) = delete;
  ~DockerDriver() override;

  v1::Platform platform() const override;
  // FAILED_PRECONDITION with the reason when the engine does not answer.
  absl::Status CheckUsable() override;
  // The nginx config and page (files at their state-dir paths), the create
  // request's JSON body (a file labelled "POST /containers/create?name=ID"),
  // and the API calls in order. The image import runs only when the engine
  // lacks the image. Runs the image script with --print-tag for the
  // default image's name; talks to no engine.
  absl::StatusOr<LaunchPlan> Plan(const TargetLaunch& launch) override;
  // Imports the image if needed, writes the config, creates and starts the
  // container. ALREADY_EXISTS when a container of that name exists
  // (Recover() or Stop() it first); INTERNAL with nginx's output when it
  // exits at once; FAILED_PRECONDITION when a named image is absent (there
  // is no registry to pull from).
  absl::StatusOr<Target> Start(const TargetLaunch& launch) override;
  // The image Start() would use for `launch`.
  absl::StatusOr<std::string> ImageFor(const TargetLaunch& launch);

 private:
  Instances& instances() override { return containers_; }

  DockerDriver(WorkerContext context, DockerDriverOptions options,
               std::unique_ptr<DockerClient> client);

  struct Prepared;
  absl::StatusOr<Prepared> Prepare(const TargetLaunch& launch);
  // Runs image_script; fills default_image_ and default_image_tar_.
  absl::Status ResolveDefaultImage(bool build);
  absl::Status EnsureImage(const std::string& image);

  WorkerContext context_;
  DockerDriverOptions options_;
  std::unique_ptr<DockerClient> client_;
  DockerContainers containers_;
  // The default image's name, once resolved, and its tar once built.
  std::string default_image_;
  std::string default_image_tar_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_PLATFORMS_DOCKER_DOCKER_DRIVER_H_
