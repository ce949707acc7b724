#include "platforms/native/native_driver.h"

#include <sched.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "worker/endpoint.h"

namespace scalebench::worker {
namespace {

// Target pid files and prefixes: "<owner>-tN" (see TargetLaunch::id).
OwnedProcessKind NativeKind() {
  OwnedProcessKind kind;
  kind.area = "targets";
  kind.kind = "native";
  kind.id_infix = "-t";
  kind.digits_required = true;
  return kind;
}

constexpr char kPagePath[] = "/html/index.html";

// The page: page_bytes bytes of 'x', like deploy/private-nginx.sh's.
std::string Page(uint32_t bytes) { return std::string(bytes, 'x'); }

std::string CpuList(const std::vector<int>& cpus) {
  return cpus.empty() ? std::string("no cores (unpinned)")
                      : absl::StrCat("cores ", absl::StrJoin(cpus, ","));
}

}  // namespace

NativeDriver::NativeDriver(const WorkerContext& context,
                           NativeDriverOptions options)
    : OwnedProcessDriver(context, NativeKind(), options.stop_grace,
                         {options.nginx_binary, "-v", "nginx/"},
                         /*read_by_workers=*/true),
      options_(std::move(options)) {}

absl::StatusOr<LaunchPlan> NativeDriver::Plan(const TargetLaunch& launch) {
  if (absl::Status s = processes_.ValidateId(launch.id); !s.ok()) return s;
  absl::StatusOr<HostPort> listen =
      MakeHostPort(launch.listen_address, launch.port, "listen address");
  if (!listen.ok()) return listen.status();
  if (launch.page_bytes > kMaxPageBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "page_bytes ", launch.page_bytes, " is above ", kMaxPageBytes));
  }
  for (int cpu : launch.cpus) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
      return absl::InvalidArgumentError(
          absl::StrCat("core ", cpu, " out of range"));
    }
  }
  NginxProcessConfig config;
  config.prefix = processes_.Prefix(launch.id);
  config.worker_processes =
      launch.worker_processes > 0 ? launch.worker_processes : launch.vcpus;
  if (config.worker_processes == 0) {
    return absl::InvalidArgumentError(
        "vcpus and worker_processes are both 0: no nginx worker to run");
  }
  config.cpus = launch.cpus;
  config.as_root = geteuid() == 0;
  config.file_limit = NginxFileLimit();
  const std::string body = absl::StrCat(
      "  server {\n"
      "    listen ",
      listen->ToString(), " backlog=4096;\n", "    root ", config.prefix,
      "/html;\n", "  }\n");

  LaunchPlan plan;
  plan.summary = absl::StrCat(
      "target ", launch.index, ": nginx on ", CpuList(launch.cpus), ", ",
      config.worker_processes, " worker(s), ", listen->ToString(), ", page of ",
      launch.page_bytes, " bytes");
  plan.files.push_back(
      {NginxConfPath(config.prefix), NginxConfig(config, body)});
  plan.files.push_back(
      {absl::StrCat(config.prefix, kPagePath), Page(launch.page_bytes)});
  plan.commands.push_back(NginxCommand(options_.nginx_binary, config.prefix));
  return plan;
}

absl::StatusOr<OwnedProcesses::PlannedStart> NativeDriver::StartDetails(
    const TargetLaunch& launch) {
  absl::StatusOr<HostPort> listen =
      MakeHostPort(launch.listen_address, launch.port, "listen address");
  if (!listen.ok()) return listen.status();
  OwnedProcesses::PlannedStart start;
  start.what = absl::StrCat("target ", launch.id);
  start.listen = *std::move(listen);
  // The page's directory and nginx's temp dir.
  start.subdirs = {"html", "tmp"};
  // nginx writes its start-up errors (-e) and its error_log here too.
  start.log_path = NginxErrorLogPath(processes_.Prefix(launch.id));
  return start;
}

}  // namespace scalebench::worker
