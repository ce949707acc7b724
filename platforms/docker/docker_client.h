// A small client of the Docker Engine API (v1.41, what Debian 12's
// docker.io speaks) over the engine's unix socket, through
// common/http_client.h: just the calls the docker target driver needs. Errors
// carry the engine's own message. Thread-safe: every call uses its own
// connection.
#ifndef SCALEBENCH_PLATFORMS_DOCKER_DOCKER_CLIENT_H_
#define SCALEBENCH_PLATFORMS_DOCKER_DOCKER_CLIENT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace scalebench::worker {

// The engine to use when none is given: $DOCKER_HOST if set and not
// empty, else "unix:///var/run/docker.sock".
std::string DefaultDockerHost();

// The socket path of a "unix:///path" docker host. INVALID_ARGUMENT for
// any other scheme (tcp:// is not supported: the API is unauthenticated).
absl::StatusOr<std::string> DockerSocketPath(const std::string& docker_host);

// What POST /containers/create gets. Only the fields scalebench sets.
struct ContainerSpec {
  // Container name; required.
  std::string name;
  // Image reference ("scalebench/nginx:0123abcd"); required.
  std::string image;
  // The command (overrides the image's); empty = the image's.
  std::vector<std::string> cmd;
  // Labels, as "key" -> "value".
  std::map<std::string, std::string> labels;
  // HostConfig.NetworkMode "host" when true, else the engine's default.
  bool host_network = true;
  // HostConfig.CpusetCpus, e.g. "1" or "0,1"; empty = unpinned.
  std::string cpuset_cpus;
  // HostConfig.Memory (and MemorySwap, so no swap) in bytes; 0 = no limit.
  int64_t memory_bytes = 0;
  // HostConfig.Binds: "HOST_PATH:CONTAINER_PATH[:ro]".
  std::vector<std::string> binds;
};

// The JSON body of POST /containers/create?name=SPEC.name for `spec`.
std::string ContainerCreateBody(const ContainerSpec& spec);

// From GET /containers/{name}/json.
struct ContainerInfo {
  std::string id;
  std::string name;  // Without the engine's leading "/".
  std::string image;
  std::map<std::string, std::string> labels;
  // State.Status: "created", "running", "exited", ...
  std::string status;
  bool running = false;
  int exit_code = 0;
  // State.Error: why the runtime could not start it; "" if none.
  std::string error;
  // HostConfig as the engine recorded it.
  std::string network_mode;
  std::string cpuset_cpus;
  int64_t memory_bytes = 0;
};

// One row of GET /containers/json.
struct ContainerSummary {
  std::string id;
  std::string name;  // Without the engine's leading "/".
  std::map<std::string, std::string> labels;
  std::string state;  // "created", "running", "exited", ...
};

class DockerClient {
 public:
  // A client of the engine at `docker_host` ("unix:///path"). Connects
  // lazily: INVALID_ARGUMENT only for a malformed host.
  static absl::StatusOr<std::unique_ptr<DockerClient>> Create(
      const std::string& docker_host);

  DockerClient(const DockerClient&) = delete;
  DockerClient& operator=(const DockerClient&) = delete;
  ~DockerClient();

  // Every call below: UNAVAILABLE when the socket does not answer;
  // NOT_FOUND for an unknown container or image; ALREADY_EXISTS for a
  // name in use; INVALID_ARGUMENT for a request the engine rejects (400);
  // INTERNAL for the engine's own failures (500). The message names the
  // call and quotes the engine.

  // GET /_ping: OK when the engine answers.
  absl::Status Ping();

  // Creates (does not start) a container; returns its id.
  absl::StatusOr<std::string> CreateContainer(const ContainerSpec& spec);
  // Starts a created container. OK if it already runs.
  absl::Status StartContainer(const std::string& name);
  absl::StatusOr<ContainerInfo> InspectContainer(const std::string& name);
  // Stops it (SIGTERM, SIGKILL after `grace`). OK if it is not running.
  absl::Status StopContainer(const std::string& name, absl::Duration grace);
  // Removes it, killing it first when `force`. NOT_FOUND if absent.
  absl::Status RemoveContainer(const std::string& name, bool force);
  // All containers, running or not, that carry label `key`=`value`.
  absl::StatusOr<std::vector<ContainerSummary>> ListContainers(
      const std::string& label_key, const std::string& label_value);
  // The last `tail` lines of its stdout and stderr, interleaved.
  absl::StatusOr<std::string> ContainerLogs(const std::string& name,
                                            int tail = 20);

  // Whether the engine has image `reference` ("repo:tag").
  absl::StatusOr<bool> HasImage(const std::string& reference);
  // Imports the root-filesystem tar at `tar_path` as `repo`:`tag`
  // (docker import), with `cmd` as the image's default command.
  absl::Status ImportImage(const std::string& tar_path, const std::string& repo,
                           const std::string& tag,
                           const std::vector<std::string>& cmd);

 private:
  explicit DockerClient(std::string socket_path);

  struct Request;
  struct Response;
  // One request to the engine; UNAVAILABLE when it cannot be sent or
  // answered in time. Any HTTP status is a Response.
  absl::StatusOr<Response> Call(const Request& request);

  std::string socket_path_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_PLATFORMS_DOCKER_DOCKER_CLIENT_H_
