#include "platforms/xen/xen_driver.h"

#include <unistd.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace scalebench::worker {
namespace {

// The tail of an error message made from a command's output.
constexpr size_t kMaxQuotedOutput = 2000;

std::string Tail(std::string text) {
  if (text.size() > kMaxQuotedOutput) {
    text = "..." + text.substr(text.size() - kMaxQuotedOutput);
  }
  return std::string(absl::StripAsciiWhitespace(text));
}

std::string MakeAbsolute(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char cwd[4096];
  if (getcwd(cwd, sizeof(cwd)) == nullptr) return path;
  return absl::StrCat(cwd, "/", path);
}

}  // namespace

absl::StatusOr<XenHostInfo> ParseXlInfo(absl::string_view text) {
  XenHostInfo info;
  bool have_version = false, have_cpus = false, have_free = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(line, absl::MaxSplits(':', 1));
    const absl::string_view key = absl::StripAsciiWhitespace(kv.first);
    const absl::string_view value = absl::StripAsciiWhitespace(kv.second);
    if (key == "xen_version") {
      info.xen_version = std::string(value);
      have_version = !value.empty();
    } else if (key == "nr_cpus") {
      have_cpus = absl::SimpleAtoi(value, &info.nr_cpus) && info.nr_cpus > 0;
    } else if (key == "free_memory") {
      have_free = absl::SimpleAtoi(value, &info.free_memory_mb);
    } else if (key == "total_memory") {
      (void)absl::SimpleAtoi(value, &info.total_memory_mb);
    }
  }
  if (!have_version || !have_cpus || !have_free) {
    return absl::InvalidArgumentError(
        absl::StrCat("xl info: missing or malformed ",
                     !have_version ? "xen_version"
                     : !have_cpus  ? "nr_cpus"
                                   : "free_memory",
                     " in: ", Tail(std::string(text))));
  }
  return info;
}

XenDriver::XenDriver(WorkerContext context, XenDriverOptions options)
    : context_(std::move(context)),
      options_(std::move(options)),
      domains_(context_, options_.xl, options_.command_timeout) {
  config_options_.images_dir = MakeAbsolute(options_.images_dir);
  config_options_.bridge = options_.bridge;
  config_options_.vif_script = options_.vif_script;
  config_options_.guest_prefix_length = options_.guest_prefix_length;
}

std::string XenDriver::ConfigPath(const std::string& id) const {
  return absl::StrCat(context_.runtime(), "/targets/", id, "/domain.cfg");
}

absl::StatusOr<XenHostInfo> XenDriver::HostInfo() {
  absl::StatusOr<os::ProgramOutput> output = domains_.RunXl({"info"});
  if (!output.ok()) return output.status();
  if (output->exit_code != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("xl info ", os::DescribeOutcome(*output)));
  }
  absl::StatusOr<XenHostInfo> info = ParseXlInfo(output->out);
  if (!info.ok()) return absl::FailedPreconditionError(info.status().message());
  return info;
}

absl::Status XenDriver::CheckUsable() {
  absl::StatusOr<XenHostInfo> info = HostInfo();
  if (!info.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the xen platform needs a Xen dom0 with xl: ",
                     info.status().message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<LaunchPlan> XenDriver::Plan(const TargetLaunch& launch) {
  return PlanWithConfig(launch, nullptr);
}

absl::StatusOr<LaunchPlan> XenDriver::PlanWithConfig(
    const TargetLaunch& launch, XlDomainConfig* config_out) {
  if (!domains_.IsOurs(launch.id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("xen: id: must be ", context_.owner, "-t<N>, got \"",
                     absl::CHexEscape(launch.id), "\""));
  }
  absl::StatusOr<XlDomainConfig> config = MakeXlConfig(launch, config_options_);
  if (!config.ok()) return config.status();
  LaunchPlan plan;
  const std::string path = ConfigPath(launch.id);
  const int port = launch.port == 0 ? kDefaultXenGuestPort : launch.port;
  plan.summary = absl::StrCat(
      "target ", launch.index, ": xen ", XenGuestTypeName(config->type),
      " domain ", launch.id, ", ", launch.vcpus, " vCPU(s) on cores ",
      launch.cpus.empty() ? "any" : absl::StrJoin(launch.cpus, ","), ", ",
      launch.memory_mb, " MiB, at ", launch.listen_address, ":", port);
  plan.files.push_back({path, config->text});
  plan.commands.push_back({options_.xl, "create", path});
  if (config_out != nullptr) *config_out = *std::move(config);
  return plan;
}

absl::StatusOr<Target> XenDriver::Start(const TargetLaunch& launch) {
  XlDomainConfig config;
  absl::StatusOr<LaunchPlan> plan = PlanWithConfig(launch, &config);
  if (!plan.ok()) return plan.status();
  for (const std::string& file : config.boot_files) {
    if (!context_.env->FileExists(file)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "xen: target ", launch.id, ": boot file ", file, " does not exist",
          launch.image.empty()
              ? absl::StrCat(" (the built-in guest's images are expected in ",
                             config_options_.images_dir, ")")
              : ""));
    }
  }
  const LaunchPlan::File& file = plan->files.front();
  const std::string dir = file.path.substr(0, file.path.rfind('/'));
  if (absl::Status s = context_.env->MakeDirs(dir); !s.ok()) return s;
  if (absl::Status s =
          context_.env->WriteFileAtomically(file.path, file.contents);
      !s.ok()) {
    return s;
  }
  const std::vector<std::string>& create = plan->commands.front();
  absl::StatusOr<os::ProgramOutput> output =
      domains_.RunXl({create.begin() + 1, create.end()});
  if (!output.ok()) return output.status();
  if (output->exit_code != 0) {
    return absl::InternalError(absl::StrCat("xen: xl create ", file.path, " ",
                                            os::DescribeOutcome(*output)));
  }
  const int port = launch.port == 0 ? kDefaultXenGuestPort : launch.port;
  return Target{launch.id, absl::StrCat(launch.listen_address, ":", port)};
}

}  // namespace scalebench::worker
