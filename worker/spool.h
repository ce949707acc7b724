// The worker's durable result spool: a finished result is on disk (written,
// fsync'ed, renamed into place, directory fsync'ed) before it is reported,
// and is deleted only when the coordinator acknowledges it. A worker that
// crashes and restarts finds its unacknowledged results again. One file per
// (attempt, worker); storing the same result twice overwrites it.
// Thread-compatible.
#ifndef SCALEBENCH_WORKER_SPOOL_H_
#define SCALEBENCH_WORKER_SPOOL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "os/env.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::worker {

class Spool final {
 public:
  // Uses (and creates) `dir` through `env`. FAILED_PRECONDITION when it
  // cannot.
  static absl::StatusOr<Spool> Open(std::string dir,
                                    os::Env* env = os::Env::Default());

  // Writes `result` durably. Returns once it survives a crash.
  absl::Status Store(const v1::WorkerResult& result);

  // Every stored result, oldest first (by store order). A file that cannot
  // be parsed (a torn write cannot happen, but a foreign file can) is
  // skipped and named in the log, never fatal.
  absl::StatusOr<std::vector<v1::WorkerResult>> List() const;

  // Deletes the result of `key` and `worker_id`. Idempotent.
  absl::Status Remove(const v1::AttemptKey& key, const std::string& worker_id);

  const std::string& dir() const { return dir_; }

 private:
  Spool(std::string dir, os::Env* env) : dir_(std::move(dir)), env_(env) {}
  std::string PathFor(const v1::AttemptKey& key,
                      const std::string& worker_id) const;

  std::string dir_;
  os::Env* env_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_SPOOL_H_
