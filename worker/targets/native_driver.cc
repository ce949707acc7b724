#include "worker/targets/native_driver.h"

#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "worker/endpoint.h"
#include "worker/program_version.h"

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

absl::Status WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  chmod(path.c_str(), 0644);
  return absl::OkStatus();
}

// The page and temp dirs, readable by nginx's workers, and the plan's files.
absl::Status WritePrefix(const std::string& prefix, const LaunchPlan& plan) {
  std::error_code error;
  for (const char* dir : {"/html", "/tmp"}) {
    const std::string path = absl::StrCat(prefix, dir);
    std::filesystem::create_directories(path, error);
    if (error) {
      return absl::InternalError(
          absl::StrCat("cannot create ", path, ": ", error.message()));
    }
    chmod(path.c_str(), 0755);
  }
  for (const LaunchPlan::File& file : plan.files) {
    if (absl::Status s = WriteFile(file.path, file.contents); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

NativeDriver::NativeDriver(const WorkerContext& context,
                           NativeDriverOptions options)
    : context_(context),
      options_(std::move(options)),
      processes_(context, NativeKind(), options_.stop_grace) {}

absl::StatusOr<std::string> NativeDriver::Version() {
  return ProgramVersion({options_.nginx_binary, "-v"}, "nginx/");
}

absl::Status NativeDriver::CheckUsable() {
  if (absl::Status s = Version().status(); !s.ok()) return s;
  return processes_.CheckReachable();
}

absl::Status NativeDriver::Recover() { return processes_.Recover(); }

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

absl::StatusOr<Target> NativeDriver::Start(const TargetLaunch& launch) {
  absl::StatusOr<LaunchPlan> plan = Plan(launch);
  if (!plan.ok()) return plan.status();
  if (absl::Status s = processes_.CreatePrefix(launch.id); !s.ok()) return s;
  if (absl::Status s = CheckCanListen(
          *MakeHostPort(launch.listen_address, launch.port, "listen"));
      !s.ok()) {
    (void)processes_.Stop(launch.id);  // Remove the prefix again.
    return s;
  }
  const std::string prefix = processes_.Prefix(launch.id);
  if (geteuid() == 0) {
    if (absl::Status s = CheckSearchableByOthers(prefix); !s.ok()) {
      (void)processes_.Stop(launch.id);
      return s;
    }
  }
  if (absl::Status s = WritePrefix(prefix, *plan); !s.ok()) {
    (void)processes_.Stop(launch.id);
    return s;
  }
  ProcessLaunch process;
  process.argv = plan->commands.front();
  process.cpus = launch.cpus;
  // nginx writes its start-up errors (-e) and its error_log here too.
  process.log_path = NginxErrorLogPath(prefix);
  absl::StatusOr<pid_t> pid = processes_.Start(launch.id, process);
  if (!pid.ok()) {
    (void)processes_.Stop(launch.id);  // Remove the prefix again.
    return absl::Status(
        pid.status().code(),
        absl::StrCat("target ", launch.id, ": ", pid.status().message()));
  }
  absl::StatusOr<HostPort> listen =
      MakeHostPort(launch.listen_address, launch.port, "listen address");
  return Target{launch.id, listen->ToString()};
}

absl::Status NativeDriver::Stop(const std::string& id) {
  return processes_.Stop(id);
}

absl::StatusOr<std::vector<std::string>> NativeDriver::List() {
  return processes_.List();
}

}  // namespace scalebench::worker
