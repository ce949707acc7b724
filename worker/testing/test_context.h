// What the worker's driver tests share: worker "w1"'s context (on the
// real OS or on a recording Env) and a target launch to vary. Test-only;
// header-only.
#ifndef SCALEBENCH_WORKER_TESTING_TEST_CONTEXT_H_
#define SCALEBENCH_WORKER_TESTING_TEST_CONTEXT_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "os/recording_env.h"
#include "worker/targets/target_driver.h"
#include "worker/worker_context.h"

namespace scalebench::worker::testing {

// The owner prefix of worker "w1"'s ids.
inline constexpr char kTestOwner[] = "scalebench-w1";

// Worker "w1" with its state dir at `state_dir`, on the real OS.
inline WorkerContext TestContext(const std::string& state_dir) {
  WorkerContext context;
  context.name = "w1";
  context.owner = kTestOwner;
  context.state_dir = state_dir;
  context.clock = Clock::Real();
  return context;
}

// Worker "w1" on `env` and its clock, its state dir at `state_dir`.
inline WorkerContext TestContext(os::RecordingEnv& env,
                                 const std::string& state_dir = "/s") {
  WorkerContext context = TestContext(state_dir);
  context.clock = env.clock();
  context.env = &env;
  return context;
}

// Where, under TestContext(env)'s state dir "/s", target `index` of worker
// "w1" has its pid file and its dir (worker_context.h says the layout).
inline std::string TestPidFile(int index = 0) {
  return absl::StrCat("/s/run/", kTestOwner, "-t", index, ".pid");
}
inline std::string TestTargetDir(int index = 0) {
  return absl::StrCat("/s/targets/", kTestOwner, "-t", index);
}

// Target `index` of worker "w1": "scalebench-w1-t<index>" on core 1, one
// vCPU, 256 MiB, 127.0.0.1 port 20001 + index, a page of 612 bytes.
inline TargetLaunch TestTargetLaunch(int index = 0) {
  TargetLaunch launch;
  launch.id = absl::StrCat(kTestOwner, "-t", index);
  launch.index = index;
  launch.cpus = {1};
  launch.vcpus = 1;
  launch.memory_mb = 256;
  launch.listen_address = "127.0.0.1";
  launch.port = static_cast<uint16_t>(20001 + index);
  launch.page_bytes = 612;
  return launch;
}

}  // namespace scalebench::worker::testing

#endif  // SCALEBENCH_WORKER_TESTING_TEST_CONTEXT_H_
