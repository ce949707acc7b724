// PLATFORM_NATIVE: each target is a private nginx run by the worker as a
// process pinned to the target's cores, with its own prefix
// RUNTIME/targets/<id>/ (nginx.conf, html/index.html of page_bytes bytes,
// error.log, temp dirs) and pid file RUNTIME/run/<id>.pid. nginx runs in
// the foreground ("daemon off; master_process on;") with one worker per
// vCPU, each pinned with worker_cpu_affinity; access logging is off.
// Thread-compatible, like every TargetDriver.
#ifndef SCALEBENCH_WORKER_TARGETS_NATIVE_DRIVER_H_
#define SCALEBENCH_WORKER_TARGETS_NATIVE_DRIVER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "worker/nginx_conf.h"
#include "worker/owned_process.h"
#include "worker/targets/target_driver.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

struct NativeDriverOptions {
  // The nginx binary. Default Debian's.
  std::string nginx_binary = kDefaultNginxBinary;
  // How long Stop() waits after SIGTERM before SIGKILL. Default 5 s.
  absl::Duration stop_grace = absl::Seconds(5);
};

class NativeDriver final : public TargetDriver {
 public:
  // The largest page a target serves, in bytes (64 MiB).
  static constexpr uint32_t kMaxPageBytes = 64u << 20;

  explicit NativeDriver(const WorkerContext& context,
                        NativeDriverOptions options = {});
  NativeDriver(const NativeDriver&) = delete;
  NativeDriver& operator=(const NativeDriver&) = delete;

  v1::Platform platform() const override { return v1::PLATFORM_NATIVE; }

  // FAILED_PRECONDITION when the nginx binary cannot be run.
  absl::Status CheckUsable() override;

  // nginx's version from `nginx -v` ("1.22.1"), for host facts.
  // FAILED_PRECONDITION when nginx cannot be run.
  absl::StatusOr<std::string> Version();

  // Stops every native target of this worker's owner with a pid file in
  // RUNTIME/run/ and removes every native prefix it left; targets of other
  // owners and of other drivers are left alone.
  absl::Status Recover() override;

  // nginx.conf, the page, and the nginx command line. INVALID_ARGUMENT for
  // an id that is not "<owner>-tN", a bad listen address or port 0, a page
  // above kMaxPageBytes, or vcpus 0 with worker_processes 0.
  absl::StatusOr<LaunchPlan> Plan(const TargetLaunch& launch) override;

  // Writes the plan's files and starts nginx. FAILED_PRECONDITION when a
  // target of that id runs already; INTERNAL with nginx's error log when
  // it exits at once (port in use, ...).
  absl::StatusOr<Target> Start(const TargetLaunch& launch) override;

  absl::Status Stop(const std::string& id) override;
  absl::StatusOr<std::vector<std::string>> List() override;

  // RUNTIME/targets/<id>, where the target's files live while it runs.
  std::string PrefixOf(const std::string& id) const {
    return processes_.Prefix(id);
  }

 private:
  WorkerContext context_;
  NativeDriverOptions options_;
  OwnedProcesses processes_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_TARGETS_NATIVE_DRIVER_H_
