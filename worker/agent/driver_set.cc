#include "worker/agent/driver_set.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/enum_names.h"
#include "platforms/registry.h"

namespace scalebench::worker {
namespace {

// FAILED_PRECONDITION "WHAT is not usable here: WHY" unless `entry`'s
// driver is usable (or `check_usable` is false).
template <typename T>
absl::StatusOr<T*> UsableOrWhy(T& driver, bool check_usable,
                               const std::string& what) {
  if (absl::Status s = check_usable ? driver.CheckUsable() : absl::OkStatus();
      !s.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " is not usable here: ", s.message()));
  }
  return &driver;
}

}  // namespace

void DriverSet::AddTarget(std::unique_ptr<TargetDriver> driver,
                          ProgramInfo version) {
  const v1::Platform platform = driver->platform();
  targets_[platform] = {std::move(driver), std::move(version)};
}

void DriverSet::AddMissingTarget(v1::Platform platform, std::string reason) {
  missing_[platform] = std::move(reason);
}

void DriverSet::AddBalancer(std::unique_ptr<Balancer> balancer,
                            ProgramInfo version) {
  const v1::BalancerKind kind = balancer->kind();
  balancers_[kind] = {std::move(balancer), std::move(version)};
}

absl::StatusOr<TargetDriver*> DriverSet::ForPlatform(
    v1::Platform platform, const v1::TargetSpec& target, bool check_usable) {
  absl::StatusOr<v1::Platform> runs_on =
      platforms::DriverPlatform(platform, target);
  if (!runs_on.ok()) return runs_on.status();
  auto it = targets_.find(*runs_on);
  if (it == targets_.end()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "this worker has no driver for platform ", api::EnumName(*runs_on)));
  }
  return UsableOrWhy(*it->second.driver, check_usable,
                     absl::StrCat("platform ", api::EnumName(*runs_on)));
}

absl::StatusOr<Balancer*> DriverSet::ForBalancer(v1::BalancerKind kind,
                                                 bool check_usable) {
  auto it = balancers_.find(kind);
  if (it == balancers_.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("this worker has no balancer ", api::EnumName(kind)));
  }
  return UsableOrWhy(*it->second.driver, check_usable,
                     absl::StrCat("balancer ", api::EnumName(kind)));
}

absl::Status DriverSet::RecoverAll() {
  absl::Status first;
  for (auto& [platform, entry] : targets_) {
    if (entry.driver->CheckUsable().ok()) first.Update(entry.driver->Recover());
  }
  for (auto& [kind, entry] : balancers_) {
    if (entry.driver->CheckUsable().ok()) first.Update(entry.driver->Recover());
  }
  return first;
}

std::map<std::string, std::string> DriverSet::versions() const {
  std::map<std::string, std::string> out;
  for (const auto& [platform, entry] : targets_) {
    if (!entry.version.program.empty()) {
      out[entry.version.program] = entry.version.version;
    }
  }
  for (const auto& [kind, entry] : balancers_) {
    if (!entry.version.program.empty()) {
      out[entry.version.program] = entry.version.version;
    }
  }
  return out;
}

std::vector<Capability> DriverSet::UsablePlatforms() {
  std::vector<Capability> usable;
  for (auto& [platform, entry] : targets_) {
    if (entry.driver->CheckUsable().ok()) {
      usable.push_back(
          {platform, entry.version.program, entry.version.version});
    }
  }
  // Platforms without a driver of their own run where a host of theirs
  // does (a unikernel on qemu or xen).
  const auto has = [&](v1::Platform p) {
    return std::any_of(usable.begin(), usable.end(),
                       [p](const Capability& c) { return c.kind == p; });
  };
  for (const platforms::PlatformDescription* p : platforms::AllPlatforms()) {
    const std::vector<v1::Platform> hosts = p->HostedBy();
    if (std::any_of(hosts.begin(), hosts.end(), has)) {
      usable.push_back({p->id(), "", ""});
    }
  }
  return usable;
}

std::vector<Capability> DriverSet::UsableBalancers() {
  std::vector<Capability> usable = {{v1::BALANCER_KIND_NONE, "", ""}};
  for (auto& [kind, entry] : balancers_) {
    if (entry.driver->CheckUsable().ok()) {
      usable.push_back({kind, entry.version.program, entry.version.version});
    }
  }
  return usable;
}

std::vector<v1::Unavailable> DriverSet::Unavailable() {
  std::vector<v1::Unavailable> out;
  std::map<v1::Platform, std::string> reasons = missing_;
  for (auto& [platform, entry] : targets_) {
    if (absl::Status s = entry.driver->CheckUsable(); !s.ok()) {
      reasons[platform] = std::string(s.message());
    }
  }
  // A platform without a driver of its own is unavailable when every
  // platform that hosts it is.
  const auto reason_of = [&](v1::Platform p) -> std::string {
    if (auto it = reasons.find(p); it != reasons.end()) return it->second;
    return targets_.count(p) > 0 ? "" : "no driver here";
  };
  for (const platforms::PlatformDescription* p : platforms::AllPlatforms()) {
    const std::vector<v1::Platform> hosts = p->HostedBy();
    if (hosts.empty()) continue;
    std::vector<std::string> names, why;
    for (v1::Platform host : hosts) {
      const std::string reason = reason_of(host);
      if (reason.empty()) break;
      names.push_back(api::EnumName(host));
      why.push_back(absl::StrCat(api::EnumName(host), ": ", reason));
    }
    if (why.size() < hosts.size()) continue;
    // Named in the order that reads best: "qemu or xen".
    std::sort(names.begin(), names.end());
    std::sort(why.begin(), why.end());
    reasons[p->id()] =
        absl::StrCat("runs on ", absl::StrJoin(names, " or "), ", and ",
                     hosts.size() == 2 ? "neither" : "none",
                     " is usable: ", absl::StrJoin(why, "; "));
  }
  for (const auto& [platform, reason] : reasons) {
    v1::Unavailable& u = out.emplace_back();
    u.set_platform(platform);
    u.set_reason(reason);
  }
  for (auto& [kind, entry] : balancers_) {
    if (absl::Status s = entry.driver->CheckUsable(); !s.ok()) {
      v1::Unavailable& u = out.emplace_back();
      u.set_balancer(kind);
      u.set_reason(std::string(s.message()));
    }
  }
  return out;
}

}  // namespace scalebench::worker
