#include "platforms/qemu/qemu_vms.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace scalebench::worker {
namespace {

// How long Stop() lets QEMU exit on SIGTERM before SIGKILL.
constexpr absl::Duration kStopGrace = absl::Seconds(5);
// The file in a VM's dir naming the driver that made it (as
// worker/owned_process.h does for native and balancer processes).
constexpr char kKindFile[] = "kind";
// A kind file holds one word.
constexpr size_t kMaxKindBytes = 256;
// Bounds of the /proc files read.
constexpr size_t kMaxProcFile = 4 << 20;

}  // namespace

QemuVms::QemuVms(const WorkerContext& context) : Instances(context) {}

bool QemuVms::ValidIdChars(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '_' && c != '-') {
      return false;
    }
  }
  return id != "." && id != "..";
}

std::string QemuVms::PidFile(const std::string& id) const {
  return absl::StrCat(context().runtime(), "/run/", id, ".pid");
}

std::string QemuVms::Dir(const std::string& id) const {
  return absl::StrCat(context().runtime(), "/targets/", id);
}

std::string QemuVms::KindFile(const std::string& id) const {
  return absl::StrCat(Dir(id), "/", kKindFile);
}

namespace {

// Whether the pid file of `id` is a VM of ours (see QemuVms::Recover()).
bool IsOurs(const QemuVms& vms, os::Env& env, const std::string& id) {
  absl::StatusOr<std::string> kind =
      env.ReadFile(vms.KindFile(id), kMaxKindBytes);
  if (!kind.ok() || absl::StripAsciiWhitespace(*kind) != QemuVms::kKind) {
    return false;
  }
  absl::StatusOr<pid_t> pid = env.FindProcess(vms.PidFile(id));
  if (!pid.ok()) return false;
  if (*pid == 0) return true;  // A stale pid file of a VM that is gone.
  // Alive: only if it is QEMU running this VM (a native nginx may have
  // reused the id since).
  absl::StatusOr<std::string> text =
      env.ReadFile(absl::StrCat("/proc/", *pid, "/cmdline"), kMaxProcFile);
  if (!text.ok()) return false;
  const std::vector<std::string> cmdline =
      absl::StrSplit(*text, '\0', absl::SkipEmpty());
  for (size_t i = 0; i + 1 < cmdline.size(); ++i) {
    if (cmdline[i] == "-name" && cmdline[i + 1] == id) return true;
  }
  return false;
}

// The ids of our VMs that have a pid file, sorted.
std::vector<std::string> OurIds(const QemuVms& vms,
                                const WorkerContext& context) {
  std::vector<std::string> ids;
  absl::StatusOr<std::vector<std::string>> names =
      context.env->ListDir(absl::StrCat(context.runtime(), "/run"));
  if (!names.ok()) return ids;
  const std::string prefix = context.owner + "-";
  for (absl::string_view name : *names) {
    if (!absl::ConsumeSuffix(&name, ".pid") ||
        !absl::StartsWith(name, prefix) || !QemuVms::ValidIdChars(name)) {
      continue;
    }
    std::string id(name);
    if (IsOurs(vms, *context.env, id)) ids.push_back(std::move(id));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

// INVALID_ARGUMENT unless `id` is "<owner>-<name>".
absl::Status CheckOwnId(const WorkerContext& context, const std::string& id) {
  if (!QemuVms::ValidIdChars(id) ||
      !absl::StartsWith(id, context.owner + "-")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "target id \"", id, "\" does not belong to ", context.owner));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<Termination>> QemuVms::Terminated(
    const std::string& id) {
  if (absl::Status s = CheckOwnId(context(), id); !s.ok()) return s;
  os::ProcessStatus status = context().env->ProcessStatusOf(PidFile(id));
  if (status.state == os::ProcessStatus::State::kRunning) return std::nullopt;
  return TerminationOf(status);
}

absl::Status QemuVms::Stop(const std::string& id) {
  if (absl::Status s = CheckOwnId(context(), id); !s.ok()) return s;
  if (!IsOurs(*this, *context().env, id)) return absl::OkStatus();
  if (absl::Status s = context().env->StopProcess(PidFile(id), kStopGrace);
      !s.ok()) {
    return s;
  }
  return context().env->RemoveFile(KindFile(id));
}

absl::Status QemuVms::Recover() {
  absl::Status result = absl::OkStatus();
  for (const std::string& id : OurIds(*this, context())) {
    if (absl::Status s = Stop(id); !s.ok() && result.ok()) result = s;
  }
  return result;
}

absl::StatusOr<std::vector<std::string>> QemuVms::List() {
  std::vector<std::string> ids;
  for (const std::string& id : OurIds(*this, context())) {
    absl::StatusOr<pid_t> pid = context().env->FindProcess(PidFile(id));
    if (!pid.ok()) return pid.status();
    if (*pid != 0) ids.push_back(id);
  }
  return ids;
}

}  // namespace scalebench::worker
