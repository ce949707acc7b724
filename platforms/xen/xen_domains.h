// The Xen domains of one worker, as the `xl` toolstack in dom0 shows them:
// each is named by its target id, "<owner>-t<N>", so `xl list` tells which
// domains are this worker's. Runs every xl command of the xen driver. The
// Instances of the xen driver. Thread-compatible; non-copyable.
#ifndef SCALEBENCH_PLATFORMS_XEN_XEN_DOMAINS_H_
#define SCALEBENCH_PLATFORMS_XEN_XEN_DOMAINS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "os/env.h"
#include "worker/driver.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

// The domain names in `xl list` output, in order (Domain-0 included).
std::vector<std::string> ParseXlList(absl::string_view text);

class XenDomains final : public Instances {
 public:
  // `xl` is the binary (a path or a name looked up on PATH); each command
  // is killed after `command_timeout`.
  XenDomains(const WorkerContext& context, std::string xl,
             absl::Duration command_timeout);

  // Runs xl with `args`; errors only when it cannot run at all.
  absl::StatusOr<os::ProgramOutput> RunXl(const std::vector<std::string>& args);

  // Whether a domain name is "<owner>-t<N>".
  bool IsOurs(absl::string_view name) const;

  // Runs `xl list` and `xl destroy NAME` for every domain named
  // "<owner>-t<N>"; leaves every other domain alone.
  absl::Status Recover() override;

  // Until the guest answers HTTP at its address; how the domain ended is
  // not watched (asking xl on every probe would slow the domain's
  // creation, see tests/xen).
  absl::Status WaitReady(const Target& target, absl::Duration timeout) override;

  // `xl destroy <id>`. Idempotent: a domain that does not exist (xl says
  // "<id> is an invalid domain identifier") is OK. INVALID_ARGUMENT for an
  // id that is not this worker's.
  absl::Status Stop(const std::string& id) override;

  // The domains in `xl list` named "<owner>-t<N>".
  absl::StatusOr<std::vector<std::string>> List() override;

  // nullopt while `xl list` shows the domain; kGone once it does not.
  // INVALID_ARGUMENT for an id that is not this worker's.
  absl::StatusOr<std::optional<Termination>> Terminated(
      const std::string& id) override;

 private:
  const std::string xl_;
  const absl::Duration command_timeout_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_PLATFORMS_XEN_XEN_DOMAINS_H_
