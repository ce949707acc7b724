#include "platforms/docker/docker_driver.h"

#include <arpa/inet.h>

#include <algorithm>
#include <regex>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace scalebench::worker {
namespace {

#ifndef SCALEBENCH_DOCKER_IMAGE_SCRIPT
#define SCALEBENCH_DOCKER_IMAGE_SCRIPT "deploy/images/build-nginx-image.sh"
#endif

// A second label naming the target, for people reading `docker ps`.
constexpr char kTargetLabel[] = "scalebench.target";
// Where the target's state dir (config and page) appears in the container.
constexpr char kConfigMount[] = "/etc/scalebench";
constexpr char kNginxBinary[] = "/usr/sbin/nginx";
// The engine refuses memory limits below 6 MiB.
constexpr uint32_t kMinMemoryMb = 6;
constexpr int64_t kBytesPerMb = int64_t{1} << 20;
constexpr int kWorkerConnections = 8192;
constexpr int kListenBacklog = 4096;
// Lines of a failed container's output quoted in errors.
constexpr int kLogTailLines = 20;

// Image references: repo[:tag][@digest], lower-case repo.
const std::regex& ImagePattern() {
  static const std::regex pattern(
      "[a-z0-9][a-z0-9._/-]{0,254}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
      "(@sha256:[0-9a-f]{64})?");
  return pattern;
}

// The command the image runs: nginx in the foreground on our config.
std::vector<std::string> NginxCommand() {
  return {kNginxBinary,
          "-e",
          "stderr",
          "-p",
          "/tmp/",
          "-c",
          absl::StrCat(kConfigMount, "/nginx.conf")};
}

// The address as nginx's listen directive wants it; INVALID_ARGUMENT if
// it is not a numeric IPv4 or IPv6 address.
absl::StatusOr<std::string> ListenAddress(const std::string& address,
                                          uint16_t port) {
  unsigned char buffer[sizeof(in6_addr)];
  if (inet_pton(AF_INET, address.c_str(), buffer) == 1) {
    return absl::StrCat(address, ":", port);
  }
  if (inet_pton(AF_INET6, address.c_str(), buffer) == 1) {
    return absl::StrCat("[", address, "]:", port);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "listen_address \"", address, "\" is not a numeric IP address"));
}

std::string NginxConfig(uint32_t worker_processes, const std::string& listen) {
  return absl::StrCat(
      "# Written by scalebench's docker driver.\n"
      "user nobody nogroup;\n"
      "worker_processes ",
      worker_processes,
      ";\n"
      "daemon off;\n"
      "pid /tmp/nginx.pid;\n"
      "error_log stderr warn;\n"
      "events { worker_connections ",
      kWorkerConnections,
      "; }\n"
      "http {\n"
      "  access_log off;\n"
      "  default_type text/html;\n"
      "  keepalive_requests 1000000;\n"
      "  client_body_temp_path /tmp/client_body;\n"
      "  proxy_temp_path /tmp/proxy;\n"
      "  fastcgi_temp_path /tmp/fastcgi;\n"
      "  uwsgi_temp_path /tmp/uwsgi;\n"
      "  scgi_temp_path /tmp/scgi;\n"
      "  server {\n"
      "    listen ",
      listen, " backlog=", kListenBacklog,
      ";\n"
      "    root ",
      kConfigMount,
      "/html;\n"
      "  }\n"
      "}\n");
}

// The value of "KEY=value" among `output`'s lines; "" if absent.
std::string ValueOf(const std::string& output, const std::string& key) {
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (absl::ConsumePrefix(&line, key) && absl::ConsumePrefix(&line, "=")) {
      return std::string(line);
    }
  }
  return "";
}

}  // namespace

// A launch checked and turned into files and a container spec.
struct DockerDriver::Prepared {
  std::string dir;
  std::string config;
  std::string page;
  ContainerSpec spec;
  std::string endpoint;
  std::string summary;
};

std::string ResolveDockerHost(const std::string& flag) {
  return flag.empty() ? DefaultDockerHost() : flag;
}

absl::StatusOr<std::unique_ptr<DockerDriver>> DockerDriver::Create(
    const WorkerContext& context, DockerDriverOptions options) {
  if (!IsContainerName(context.owner)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "worker owner \"", context.owner, "\" is not a valid container name"));
  }
  if (options.image_script.empty()) {
    options.image_script = SCALEBENCH_DOCKER_IMAGE_SCRIPT;
  }
  if (options.image_cache_dir.empty()) {
    options.image_cache_dir = absl::StrCat(context.state_dir, "/images");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<DockerClient> client,
                   DockerClient::Create(options.docker_host));
  return std::unique_ptr<DockerDriver>(
      new DockerDriver(context, std::move(options), std::move(client)));
}

DockerDriver::DockerDriver(WorkerContext context, DockerDriverOptions options,
                           std::unique_ptr<DockerClient> client)
    : context_(std::move(context)),
      options_(std::move(options)),
      client_(std::move(client)),
      containers_(context_, *client_, options_.stop_grace),
      default_image_(options_.default_image) {}

DockerDriver::~DockerDriver() = default;

v1::Platform DockerDriver::platform() const { return v1::PLATFORM_DOCKER; }

absl::Status DockerDriver::CheckUsable() {
  absl::Status status = client_->Ping();
  if (status.ok()) return status;
  return absl::FailedPreconditionError(
      absl::StrCat("docker: the engine does not answer (--docker-host ",
                   options_.docker_host, "): ", status.message()));
}

absl::Status DockerDriver::ResolveDefaultImage(bool build) {
  if (!default_image_.empty() && (!build || !default_image_tar_.empty())) {
    return absl::OkStatus();
  }
  std::vector<std::string> argv = {options_.image_script, "--out",
                                   options_.image_cache_dir};
  if (!build) argv.push_back("--print-tag");
  os::RunOptions run;
  run.timeout = options_.image_script_timeout;
  ASSIGN_OR_RETURN(os::ProgramOutput result, context_.env->Run(argv, run));
  const std::string output = result.out + result.err;
  if (result.exit_code != 0) {
    return absl::InternalError(absl::StrCat(absl::StrJoin(argv, " "), " ",
                                            os::DescribeOutcome(result)));
  }
  const std::string image = ValueOf(output, "IMAGE");
  if (image.empty()) {
    return absl::InternalError(absl::StrCat(
        options_.image_script, " named no IMAGE in its output: ", output));
  }
  default_image_ = image;
  if (build) default_image_tar_ = ValueOf(output, "TAR");
  return absl::OkStatus();
}

absl::StatusOr<std::string> DockerDriver::ImageFor(const TargetLaunch& launch) {
  if (!launch.image.empty()) {
    if (!std::regex_match(launch.image, ImagePattern())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "image \"", launch.image, "\" is not a valid reference"));
    }
    return launch.image;
  }
  RETURN_IF_ERROR(ResolveDefaultImage(/*build=*/false));
  return default_image_;
}

absl::Status DockerDriver::EnsureImage(const std::string& image) {
  ASSIGN_OR_RETURN(bool present, client_->HasImage(image));
  if (present) return absl::OkStatus();
  if (image != default_image_ || !options_.default_image.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "image ", image,
        " is not in the docker engine and there is no registry: load it "
        "first (docker load or docker import)"));
  }
  RETURN_IF_ERROR(ResolveDefaultImage(/*build=*/true));
  const size_t colon = default_image_.rfind(':');
  return client_->ImportImage(default_image_tar_,
                              default_image_.substr(0, colon),
                              default_image_.substr(colon + 1), NginxCommand());
}

absl::StatusOr<DockerDriver::Prepared> DockerDriver::Prepare(
    const TargetLaunch& launch) {
  if (!IsContainerName(launch.id) ||
      !absl::StartsWith(launch.id, absl::StrCat(context_.owner, "-"))) {
    return absl::InvalidArgumentError(
        absl::StrCat("target id \"", launch.id, "\" must be \"", context_.owner,
                     "-\" and [A-Za-z0-9_.-]"));
  }
  if (launch.port == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("target ", launch.id, ": port 0"));
  }
  if (launch.vcpus == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("target ", launch.id, ": 0 vCPUs"));
  }
  if (launch.memory_mb < kMinMemoryMb) {
    return absl::InvalidArgumentError(
        absl::StrCat("target ", launch.id, ": memory_mb ", launch.memory_mb,
                     " is below docker's minimum of ", kMinMemoryMb));
  }
  for (int cpu : launch.cpus) {
    if (cpu < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("target ", launch.id, ": negative cpu ", cpu));
    }
  }
  ASSIGN_OR_RETURN(std::string listen,
                   ListenAddress(launch.listen_address, launch.port));
  ASSIGN_OR_RETURN(std::string image, ImageFor(launch));

  Prepared prepared;
  prepared.dir = containers_.Dir(launch.id);
  const uint32_t workers =
      launch.worker_processes > 0 ? launch.worker_processes : launch.vcpus;
  prepared.config = NginxConfig(workers, listen);
  prepared.page = std::string(launch.page_bytes, 'x');
  prepared.endpoint = listen;

  std::vector<int> cpus = launch.cpus;
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());

  ContainerSpec& spec = prepared.spec;
  spec.name = launch.id;
  spec.image = image;
  spec.cmd = NginxCommand();
  spec.labels = {{kDockerOwnerLabel, context_.owner},
                 {kTargetLabel, launch.id}};
  spec.host_network = true;
  spec.cpuset_cpus = absl::StrJoin(cpus, ",");
  spec.memory_bytes = int64_t{launch.memory_mb} * kBytesPerMb;
  spec.binds = {absl::StrCat(prepared.dir, ":", kConfigMount, ":ro")};
  prepared.summary = absl::StrCat(
      "target ", launch.index, ": nginx container ", launch.id, " (", image,
      ") on cores ", cpus.empty() ? "any" : spec.cpuset_cpus, ", ",
      launch.memory_mb, " MiB, ", workers, " workers, ", listen);
  return prepared;
}

absl::StatusOr<LaunchPlan> DockerDriver::Plan(const TargetLaunch& launch) {
  ASSIGN_OR_RETURN(Prepared prepared, Prepare(launch));
  const std::string& id = launch.id;
  const std::string& image = prepared.spec.image;
  LaunchPlan plan;
  plan.summary = prepared.summary;
  plan.files.push_back({prepared.dir + "/nginx.conf", prepared.config});
  plan.files.push_back({prepared.dir + "/html/index.html", prepared.page});
  plan.files.push_back({absl::StrCat("POST /containers/create?name=", id),
                        ContainerCreateBody(prepared.spec)});
  plan.commands.push_back({"GET", absl::StrCat("/images/", image, "/json")});
  if (launch.image.empty()) {
    const size_t colon = image.rfind(':');
    plan.commands.push_back(
        {options_.image_script, "--out", options_.image_cache_dir});
    plan.commands.push_back(
        {"POST",
         absl::StrCat("/images/create?fromSrc=-&repo=", image.substr(0, colon),
                      "&tag=", image.substr(colon + 1))});
  }
  plan.commands.push_back(
      {"POST", absl::StrCat("/containers/create?name=", id)});
  plan.commands.push_back({"POST", absl::StrCat("/containers/", id, "/start")});
  plan.commands.push_back({"GET", absl::StrCat("/containers/", id, "/json")});
  return plan;
}

absl::StatusOr<Target> DockerDriver::Start(const TargetLaunch& launch) {
  ASSIGN_OR_RETURN(Prepared prepared, Prepare(launch));
  RETURN_IF_ERROR(EnsureImage(prepared.spec.image));

  // nginx's workers run as nobody inside the container: directories
  // searchable and files readable by others.
  os::Env& env = *context_.env;
  RETURN_IF_ERROR(env.MakeDirs(prepared.dir, 0755));
  RETURN_IF_ERROR(env.MakeDirs(prepared.dir + "/html", 0755));
  RETURN_IF_ERROR(env.WriteFileAtomically(prepared.dir + "/nginx.conf",
                                          prepared.config, 0644));
  RETURN_IF_ERROR(env.WriteFileAtomically(prepared.dir + "/html/index.html",
                                          prepared.page, 0644));

  RETURN_IF_ERROR(client_->CreateContainer(prepared.spec).status());
  absl::Status started = client_->StartContainer(launch.id);
  if (!started.ok()) {
    client_->RemoveContainer(launch.id, /*force=*/true).IgnoreError();
    return started;
  }
  // A config nginx rejects (an address in use, say) ends it at once; say so
  // now rather than let readiness time out. A slower failure is left to
  // the readiness probe.
  ASSIGN_OR_RETURN(ContainerInfo info, client_->InspectContainer(launch.id));
  if (!info.running && info.status == "exited") {
    absl::StatusOr<std::string> logs =
        client_->ContainerLogs(launch.id, kLogTailLines);
    client_->RemoveContainer(launch.id, /*force=*/true).IgnoreError();
    return absl::InternalError(
        absl::StrCat("nginx in container ", launch.id, " exited with status ",
                     info.exit_code, ": ", info.error,
                     logs.ok() ? *logs : std::string(logs.status().message())));
  }
  return Target{launch.id, prepared.endpoint};
}

}  // namespace scalebench::worker
