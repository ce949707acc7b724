#include "worker/nginx_conf.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace scalebench::worker {
namespace {

constexpr uint64_t kWorkerFileLimit = 65536;

}  // namespace

uint64_t NginxFileLimit() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 ||
      limit.rlim_max == RLIM_INFINITY) {
    return kWorkerFileLimit;
  }
  return std::min<uint64_t>(kWorkerFileLimit, limit.rlim_max);
}

absl::Status CheckSearchableByOthers(absl::string_view path) {
  std::string dir(path);
  while (!dir.empty() && dir != "/") {
    struct stat info;
    if (stat(dir.c_str(), &info) == 0 && (info.st_mode & S_IXOTH) == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          dir, " is not searchable by others (mode ",
          absl::StrFormat("%o", info.st_mode & 07777),
          "), so nginx's workers, running as nobody, cannot reach ", path,
          "; give the worker a --runtime-dir under a world-searchable path, "
          "or leave it to the default (docs/worker.md)"));
    }
    const size_t slash = dir.rfind('/');
    if (slash == std::string::npos) break;
    dir.resize(slash);
  }
  return absl::OkStatus();
}

std::string NginxConfPath(absl::string_view prefix) {
  return absl::StrCat(prefix, "/nginx.conf");
}

std::string NginxErrorLogPath(absl::string_view prefix) {
  return absl::StrCat(prefix, "/error.log");
}

std::string NginxCpuAffinity(uint32_t workers, const std::vector<int>& cpus) {
  if (cpus.empty()) return "";
  const int highest = *std::max_element(cpus.begin(), cpus.end());
  std::vector<std::string> masks;
  for (uint32_t i = 0; i < workers; ++i) {
    const int cpu = cpus[i % cpus.size()];
    // One character per core up to the highest, core 0 rightmost.
    std::string mask(static_cast<size_t>(highest) + 1, '0');
    mask[mask.size() - 1 - static_cast<size_t>(cpu)] = '1';
    masks.push_back(std::move(mask));
  }
  return absl::StrJoin(masks, " ");
}

std::string NginxConfig(const NginxProcessConfig& c,
                        absl::string_view http_body) {
  const uint32_t workers = std::max<uint32_t>(c.worker_processes, 1);
  std::string out;
  if (c.as_root) {
    // Workers of a root master run as nobody; the prefix is world-readable.
    absl::StrAppend(&out, "user nobody nogroup;\n");
  }
  if (c.file_limit > 0) {
    absl::StrAppend(&out, "worker_rlimit_nofile ", c.file_limit, ";\n");
  }
  absl::StrAppend(&out, "worker_processes ", workers, ";\n");
  if (const std::string affinity = NginxCpuAffinity(workers, c.cpus);
      !affinity.empty()) {
    absl::StrAppend(&out, "worker_cpu_affinity ", affinity, ";\n");
  }
  absl::StrAppend(&out,
                  "daemon off;\n"
                  "master_process on;\n"
                  "pid ",
                  c.prefix, "/nginx.pid;\n", "error_log ",
                  NginxErrorLogPath(c.prefix), " warn;\n",
                  "events {\n"
                  "  worker_connections ",
                  c.worker_connections, ";\n",
                  "}\n"
                  "http {\n"
                  "  access_log off;\n"
                  "  client_body_temp_path ",
                  c.prefix, "/tmp/client_body;\n", "  proxy_temp_path ",
                  c.prefix, "/tmp/proxy;\n", "  fastcgi_temp_path ", c.prefix,
                  "/tmp/fastcgi;\n", "  uwsgi_temp_path ", c.prefix,
                  "/tmp/uwsgi;\n", "  scgi_temp_path ", c.prefix,
                  "/tmp/scgi;\n",
                  "  keepalive_requests 1000000;\n"
                  "  keepalive_timeout 65s;\n",
                  http_body, "}\n");
  return out;
}

std::vector<std::string> NginxCommand(absl::string_view binary,
                                      absl::string_view prefix) {
  return {std::string(binary),   "-p", absl::StrCat(prefix, "/"), "-c",
          NginxConfPath(prefix), "-e", NginxErrorLogPath(prefix)};
}

}  // namespace scalebench::worker
