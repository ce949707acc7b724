#include "platforms/docker/docker_client.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/http_client.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace scalebench::worker {
namespace {

using json = nlohmann::json;

// The API version every path is prefixed with: Debian 12's docker.io
// (20.10) speaks up to 1.41.
constexpr char kApiPrefix[] = "/v1.41";
constexpr char kDefaultDockerHost[] = "unix:///var/run/docker.sock";
constexpr char kUnixScheme[] = "unix://";
// Calls that do not wait on a container: create, inspect, list, ping.
constexpr absl::Duration kCallTimeout = absl::Seconds(30);
// Importing an image writes its layer; allow for a slow disk.
constexpr absl::Duration kImportTimeout = absl::Minutes(5);
constexpr absl::Duration kConnectTimeout = absl::Seconds(5);

std::string StripSlash(std::string name) {
  if (!name.empty() && name[0] == '/') name.erase(0, 1);
  return name;
}

std::map<std::string, std::string> LabelsOf(const json& labels) {
  std::map<std::string, std::string> result;
  if (!labels.is_object()) return result;
  for (const auto& [key, value] : labels.items()) {
    if (value.is_string()) result[key] = value.get<std::string>();
  }
  return result;
}

// Demultiplexes a non-TTY log stream: frames of an 8-byte header (stream,
// 0, 0, 0, big-endian length) and the payload. Text that is not framed is
// returned as it came.
std::string Demultiplex(const std::string& raw) {
  std::string text;
  size_t pos = 0;
  while (pos + 8 <= raw.size()) {
    const unsigned char stream = raw[pos];
    if (stream > 2 || raw[pos + 1] != 0 || raw[pos + 2] != 0 ||
        raw[pos + 3] != 0) {
      return raw;
    }
    size_t length = 0;
    for (int i = 4; i < 8; ++i) {
      length = (length << 8) | static_cast<unsigned char>(raw[pos + i]);
    }
    if (pos + 8 + length > raw.size()) return raw;
    text.append(raw, pos + 8, length);
    pos += 8 + length;
  }
  return pos == raw.size() ? text : raw;
}

}  // namespace

struct DockerClient::Request {
  Request(std::string method, std::string path, std::string body = "")
      : method(std::move(method)),
        path(std::move(path)),
        body(std::move(body)) {}

  std::string method;
  // After the API prefix, with its query string: "/containers/json?all=1".
  std::string path;
  std::string body;
  std::string content_type = "application/json";
  // When not empty, the file streamed as the body instead of `body`.
  std::string body_file;
  absl::Duration timeout = kCallTimeout;
};

struct DockerClient::Response {
  long status = 0;
  std::string body;
};

std::string DefaultDockerHost() {
  const char* env = std::getenv("DOCKER_HOST");
  if (env != nullptr && *env != '\0') return env;
  return kDefaultDockerHost;
}

absl::StatusOr<std::string> DockerSocketPath(const std::string& docker_host) {
  if (!absl::StartsWith(docker_host, kUnixScheme)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "docker host \"", docker_host, "\": only unix:///path is supported"));
  }
  std::string path = docker_host.substr(sizeof(kUnixScheme) - 1);
  if (path.empty() || path[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat(
        "docker host \"", docker_host, "\": the socket path must be absolute"));
  }
  return path;
}

std::string ContainerCreateBody(const ContainerSpec& spec) {
  json body;
  body["Image"] = spec.image;
  if (!spec.cmd.empty()) body["Cmd"] = spec.cmd;
  body["Labels"] = spec.labels;
  json host;
  if (spec.host_network) host["NetworkMode"] = "host";
  if (!spec.cpuset_cpus.empty()) host["CpusetCpus"] = spec.cpuset_cpus;
  if (spec.memory_bytes > 0) {
    host["Memory"] = spec.memory_bytes;
    host["MemorySwap"] = spec.memory_bytes;
  }
  if (!spec.binds.empty()) host["Binds"] = spec.binds;
  body["HostConfig"] = host;
  return body.dump(2);
}

absl::StatusOr<std::unique_ptr<DockerClient>> DockerClient::Create(
    const std::string& docker_host) {
  ASSIGN_OR_RETURN(std::string socket_path, DockerSocketPath(docker_host));
  return std::unique_ptr<DockerClient>(new DockerClient(socket_path));
}

DockerClient::DockerClient(std::string socket_path)
    : socket_path_(std::move(socket_path)) {}

DockerClient::~DockerClient() = default;

absl::StatusOr<DockerClient::Response> DockerClient::Call(
    const Request& request) {
  HttpRequest http;
  http.method = request.method;
  http.url = absl::StrCat("http://localhost", kApiPrefix, request.path);
  http.unix_socket = socket_path_;
  http.headers = {absl::StrCat("Content-Type: ", request.content_type)};
  http.body = request.body;
  http.body_file = request.body_file;
  http.connect_timeout = kConnectTimeout;
  http.timeout = request.timeout;
  absl::StatusOr<HttpResponse> answer = SendHttpRequest(http);
  if (absl::IsNotFound(answer.status())) return answer.status();
  if (!answer.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "docker engine at unix://", socket_path_, ": ", request.method, " ",
        request.path, ": ", answer.status().message()));
  }
  Response response;
  response.status = answer->status;
  response.body = std::move(answer->body);
  return response;
}

namespace {

// OK for a 2xx status; otherwise the code for the status and the engine's
// message (its JSON {"message": ...}, else the body as it came).
absl::Status StatusOf(const std::string& what, long status,
                      const std::string& body) {
  if (status >= 200 && status < 300) return absl::OkStatus();
  std::string message = body;
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("message") &&
      parsed["message"].is_string()) {
    message = parsed["message"].get<std::string>();
  }
  while (!message.empty() && message.back() == '\n') message.pop_back();
  const std::string text =
      absl::StrCat(what, ": docker engine (HTTP ", status, "): ", message);
  switch (status) {
    case 400:
      return absl::InvalidArgumentError(text);
    case 404:
      return absl::NotFoundError(text);
    case 409:
      return absl::AlreadyExistsError(text);
    case 503:
      return absl::UnavailableError(text);
    default:
      return absl::InternalError(text);
  }
}

absl::StatusOr<json> ParseJson(const std::string& what,
                               const std::string& body) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return absl::InternalError(
        absl::StrCat(what, ": the docker engine answered with malformed JSON"));
  }
  return parsed;
}

}  // namespace

absl::Status DockerClient::Ping() {
  ASSIGN_OR_RETURN(Response response, Call({"GET", "/_ping"}));
  return StatusOf("ping", response.status, response.body);
}

absl::StatusOr<std::string> DockerClient::CreateContainer(
    const ContainerSpec& spec) {
  const std::string what = absl::StrCat("create container ", spec.name);
  const std::string name = UrlEscape(spec.name);
  ASSIGN_OR_RETURN(Response response,
                   Call({"POST", absl::StrCat("/containers/create?name=", name),
                         ContainerCreateBody(spec)}));
  RETURN_IF_ERROR(StatusOf(what, response.status, response.body));
  ASSIGN_OR_RETURN(json parsed, ParseJson(what, response.body));
  return parsed.value("Id", std::string());
}

absl::Status DockerClient::StartContainer(const std::string& name) {
  ASSIGN_OR_RETURN(
      Response response,
      Call({"POST", absl::StrCat("/containers/", name, "/start"), ""}));
  if (response.status == 304) return absl::OkStatus();  // Already running.
  return StatusOf(absl::StrCat("start container ", name), response.status,
                  response.body);
}

absl::StatusOr<ContainerInfo> DockerClient::InspectContainer(
    const std::string& name) {
  const std::string what = absl::StrCat("inspect container ", name);
  ASSIGN_OR_RETURN(Response response,
                   Call({"GET", absl::StrCat("/containers/", name, "/json")}));
  RETURN_IF_ERROR(StatusOf(what, response.status, response.body));
  ASSIGN_OR_RETURN(json parsed, ParseJson(what, response.body));
  ContainerInfo info;
  info.id = parsed.value("Id", std::string());
  info.name = StripSlash(parsed.value("Name", std::string()));
  info.image = parsed.value("Image", std::string());
  if (parsed.contains("Config") && parsed["Config"].is_object()) {
    info.labels = LabelsOf(parsed["Config"].value("Labels", json()));
  }
  if (parsed.contains("State") && parsed["State"].is_object()) {
    const json& state = parsed["State"];
    info.status = state.value("Status", std::string());
    info.running = state.value("Running", false);
    info.exit_code = state.value("ExitCode", 0);
    info.error = state.value("Error", std::string());
  }
  if (parsed.contains("HostConfig") && parsed["HostConfig"].is_object()) {
    const json& host = parsed["HostConfig"];
    info.network_mode = host.value("NetworkMode", std::string());
    info.cpuset_cpus = host.value("CpusetCpus", std::string());
    info.memory_bytes = host.value("Memory", int64_t{0});
  }
  return info;
}

absl::Status DockerClient::StopContainer(const std::string& name,
                                         absl::Duration grace) {
  const int64_t seconds =
      absl::ToInt64Seconds(absl::Ceil(grace, absl::Seconds(1)));
  Request request("POST",
                  absl::StrCat("/containers/", name, "/stop?t=", seconds));
  request.timeout = grace + kCallTimeout;
  ASSIGN_OR_RETURN(Response response, Call(request));
  if (response.status == 304) return absl::OkStatus();  // Not running.
  return StatusOf(absl::StrCat("stop container ", name), response.status,
                  response.body);
}

absl::Status DockerClient::RemoveContainer(const std::string& name,
                                           bool force) {
  ASSIGN_OR_RETURN(
      Response response,
      Call({"DELETE", absl::StrCat("/containers/", name,
                                   force ? "?force=true&v=true" : "?v=true")}));
  return StatusOf(absl::StrCat("remove container ", name), response.status,
                  response.body);
}

absl::StatusOr<std::vector<ContainerSummary>> DockerClient::ListContainers(
    const std::string& label_key, const std::string& label_value) {
  const std::string what =
      absl::StrCat("list containers labelled ", label_key, "=", label_value);
  json filters;
  filters["label"] = json::array({absl::StrCat(label_key, "=", label_value)});
  const std::string escaped = UrlEscape(filters.dump());
  ASSIGN_OR_RETURN(
      Response response,
      Call({"GET",
            absl::StrCat("/containers/json?all=true&filters=", escaped)}));
  RETURN_IF_ERROR(StatusOf(what, response.status, response.body));
  ASSIGN_OR_RETURN(json parsed, ParseJson(what, response.body));
  std::vector<ContainerSummary> result;
  if (!parsed.is_array()) return result;
  for (const json& row : parsed) {
    ContainerSummary summary;
    summary.id = row.value("Id", std::string());
    if (row.contains("Names") && row["Names"].is_array() &&
        !row["Names"].empty() && row["Names"][0].is_string()) {
      summary.name = StripSlash(row["Names"][0].get<std::string>());
    }
    summary.labels = LabelsOf(row.value("Labels", json()));
    summary.state = row.value("State", std::string());
    result.push_back(std::move(summary));
  }
  return result;
}

absl::StatusOr<std::string> DockerClient::ContainerLogs(const std::string& name,
                                                        int tail) {
  ASSIGN_OR_RETURN(
      Response response,
      Call({"GET", absl::StrCat("/containers/", name,
                                "/logs?stdout=true&stderr=true&tail=", tail)}));
  RETURN_IF_ERROR(StatusOf(absl::StrCat("logs of container ", name),
                           response.status, response.body));
  return Demultiplex(response.body);
}

absl::StatusOr<bool> DockerClient::HasImage(const std::string& reference) {
  ASSIGN_OR_RETURN(Response response,
                   Call({"GET", absl::StrCat("/images/", reference, "/json")}));
  if (response.status == 404) return false;
  RETURN_IF_ERROR(StatusOf(absl::StrCat("inspect image ", reference),
                           response.status, response.body));
  return true;
}

absl::Status DockerClient::ImportImage(const std::string& tar_path,
                                       const std::string& repo,
                                       const std::string& tag,
                                       const std::vector<std::string>& cmd) {
  const std::string what =
      absl::StrCat("import ", tar_path, " as ", repo, ":", tag);
  std::string path =
      absl::StrCat("/images/create?fromSrc=-&repo=", UrlEscape(repo),
                   "&tag=", UrlEscape(tag));
  if (!cmd.empty()) {
    absl::StrAppend(
        &path, "&changes=", UrlEscape(absl::StrCat("CMD ", json(cmd).dump())));
  }
  Request request("POST", path);
  request.content_type = "application/x-tar";
  request.body_file = tar_path;
  request.timeout = kImportTimeout;
  ASSIGN_OR_RETURN(Response response, Call(request));
  RETURN_IF_ERROR(StatusOf(what, response.status, response.body));
  // The engine streams progress as JSON lines; a failure arrives as a line
  // with "error" under a 200 status.
  size_t start = 0;
  while (start < response.body.size()) {
    size_t end = response.body.find('\n', start);
    if (end == std::string::npos) end = response.body.size();
    json line = json::parse(response.body.substr(start, end - start), nullptr,
                            /*allow_exceptions=*/false);
    if (line.is_object() && line.contains("error")) {
      return absl::InternalError(absl::StrCat(
          what, ": docker engine: ", line.value("error", std::string())));
    }
    start = end + 1;
  }
  return absl::OkStatus();
}

}  // namespace scalebench::worker
