// Where a worker puts what its targets and balancers read: configs, pages,
// logs and pid files (run/, targets/, balancers/). Under a root worker,
// nginx's worker processes run as nobody, so every directory above those
// files must be searchable by others; a state dir under a home directory
// of mode 700 (/root/project/scalebench-data/worker) is not. Rather than
// widen the home directory, or run the targets as root, the worker then
// keeps those files in a directory of its own under /run/scalebench
// (root's, and a tmpfs on a standard Debian system), named after the
// worker and its state dir, and removes it when it stops. What must
// persist (the result spool, the image cache) stays in the state dir.
// Thread-compatible.
#ifndef SCALEBENCH_WORKER_RUNTIME_DIR_H_
#define SCALEBENCH_WORKER_RUNTIME_DIR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

struct RuntimeDirOptions {
  // Where a runtime dir is made when the state dir will not do. Created
  // mode 0711 (others may pass through, not list) when missing; it must be
  // a directory owned by this user, not a link. Default /run/scalebench.
  std::string base = "/run/scalebench";
  // Whether the targets run as another user than the worker (nginx's
  // workers run as nobody under a root worker). Default: running as root.
  bool targets_run_as_other_user;

  RuntimeDirOptions();
};

// The runtime dir of the worker `worker_name` whose state dir is
// `state_dir` (absolute): `forced` when not empty (created if missing,
// never checked: CheckTargetsCanReach says whether it will do); else
// `state_dir` when the targets' user can reach it; else
// BASE/<worker_name>-<hash of state_dir>, made mode 0755 (the same dir for
// the same state dir, so a restarted worker finds what it left). Records
// the state dir in a `state-dir` file there. FAILED_PRECONDITION naming
// the path when a directory cannot be made or BASE is not ours.
absl::StatusOr<std::string> ResolveRuntimeDir(
    const std::string& state_dir, const std::string& worker_name,
    const std::string& forced, const RuntimeDirOptions& options = {});

// OK when the targets' user can reach files under `runtime_dir`: every
// ancestor of it is searchable by others (the dir itself is made so when
// the worker creates what goes in it); otherwise FAILED_PRECONDITION
// saying which directory stops them and what to do.
absl::Status CheckTargetsCanReach(const std::string& runtime_dir,
                                  const RuntimeDirOptions& options = {});

// Removes the empty run/, targets/ and balancers/ folders of
// `runtime_dir` when it is not `state_dir`; then, when it is one that
// ResolveRuntimeDir made under BASE and holds nothing but its `state-dir`
// file, the dir itself and BASE when empty. Anything else (a target's
// files, an operator's --runtime-dir) is left where it is, for the next
// worker's Recover(). Idempotent.
void ReleaseRuntimeDir(const std::string& runtime_dir,
                       const std::string& state_dir,
                       const RuntimeDirOptions& options = {});

// Calls ReleaseRuntimeDir for a worker's context when it goes out of
// scope.
class RuntimeDirReleaser final {
 public:
  // `context` outlives the releaser.
  explicit RuntimeDirReleaser(const WorkerContext& context)
      : context_(context) {}
  ~RuntimeDirReleaser() {
    ReleaseRuntimeDir(context_.runtime_dir, context_.state_dir);
  }
  RuntimeDirReleaser(const RuntimeDirReleaser&) = delete;
  RuntimeDirReleaser& operator=(const RuntimeDirReleaser&) = delete;

 private:
  const WorkerContext& context_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_RUNTIME_DIR_H_
