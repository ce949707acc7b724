// PLATFORM_NATIVE: each target is a private nginx run by the worker as a
// process pinned to the target's cores, with its own prefix
// RUNTIME/targets/<id>/ (nginx.conf, html/index.html of page_bytes bytes,
// error.log, temp dirs) and pid file RUNTIME/run/<id>.pid. nginx runs in
// the foreground ("daemon off; master_process on;") with one worker per
// vCPU, each pinned with worker_cpu_affinity; access logging is off.
// Thread-compatible, like every TargetDriver.
#ifndef SCALEBENCH_PLATFORMS_NATIVE_NATIVE_DRIVER_H_
#define SCALEBENCH_PLATFORMS_NATIVE_NATIVE_DRIVER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "worker/nginx_conf.h"
#include "worker/owned_process_driver.h"
#include "worker/targets/target_driver.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

using NativeDriverOptions = NginxOptions;

class NativeDriver final
    : public OwnedProcessDriver<TargetDriver, TargetLaunch> {
 public:
  // The largest page a target serves, in bytes (64 MiB).
  static constexpr uint32_t kMaxPageBytes = 64u << 20;

  explicit NativeDriver(const WorkerContext& context,
                        NativeDriverOptions options = {});

  v1::Platform platform() const override { return v1::PLATFORM_NATIVE; }

  // nginx.conf, the page, and the nginx command line. INVALID_ARGUMENT for
  // an id that is not "<owner>-tN", a bad listen address or port 0, a page
  // above kMaxPageBytes, or vcpus 0 with worker_processes 0.
  absl::StatusOr<LaunchPlan> Plan(const TargetLaunch& launch) override;

 private:
  absl::StatusOr<OwnedProcesses::PlannedStart> StartDetails(
      const TargetLaunch& launch) override;

  NativeDriverOptions options_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_PLATFORMS_NATIVE_NATIVE_DRIVER_H_
