#include "worker/agent/driver_set.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "api/enum_names.h"

namespace scalebench::worker {

void DriverSet::AddTarget(std::unique_ptr<TargetDriver> driver) {
  const v1::Platform platform = driver->platform();
  targets_[platform] = std::move(driver);
}

void DriverSet::AddMissingTarget(v1::Platform platform, std::string reason) {
  missing_[platform] = std::move(reason);
}

void DriverSet::AddBalancer(std::unique_ptr<Balancer> balancer) {
  const v1::BalancerKind kind = balancer->kind();
  balancers_[kind] = std::move(balancer);
}

absl::StatusOr<TargetDriver*> DriverSet::ForPlatform(
    v1::Platform platform, const std::string& hypervisor, bool check_usable) {
  v1::Platform runs_on = platform;
  if (platform == v1::PLATFORM_UNIKERNEL) {
    if (hypervisor == "xen") {
      runs_on = v1::PLATFORM_XEN;
    } else if (hypervisor == "qemu" || hypervisor.empty()) {
      runs_on = v1::PLATFORM_QEMU;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "target.hypervisor '", hypervisor, "' is not xen or qemu"));
    }
  }
  auto it = targets_.find(runs_on);
  if (it == targets_.end()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "this worker has no driver for platform ", api::EnumName(runs_on)));
  }
  if (absl::Status s =
          check_usable ? it->second->CheckUsable() : absl::OkStatus();
      !s.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("platform ", api::EnumName(runs_on),
                     " is not usable here: ", s.message()));
  }
  return it->second.get();
}

absl::StatusOr<Balancer*> DriverSet::ForBalancer(v1::BalancerKind kind,
                                                 bool check_usable) {
  auto it = balancers_.find(kind);
  if (it == balancers_.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("this worker has no balancer ", api::EnumName(kind)));
  }
  if (absl::Status s =
          check_usable ? it->second->CheckUsable() : absl::OkStatus();
      !s.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("balancer ", api::EnumName(kind),
                     " is not usable here: ", s.message()));
  }
  return it->second.get();
}

absl::Status DriverSet::RecoverAll() {
  absl::Status first;
  for (auto& [platform, driver] : targets_) {
    if (driver->CheckUsable().ok()) first.Update(driver->Recover());
  }
  for (auto& [kind, balancer] : balancers_) {
    if (balancer->CheckUsable().ok()) first.Update(balancer->Recover());
  }
  return first;
}

std::vector<v1::Platform> DriverSet::UsablePlatforms() {
  std::vector<v1::Platform> usable;
  for (auto& [platform, driver] : targets_) {
    if (driver->CheckUsable().ok()) usable.push_back(platform);
  }
  // Unikernel images run on either hypervisor.
  const auto has = [&](v1::Platform p) {
    return std::find(usable.begin(), usable.end(), p) != usable.end();
  };
  if (has(v1::PLATFORM_XEN) || has(v1::PLATFORM_QEMU)) {
    usable.push_back(v1::PLATFORM_UNIKERNEL);
  }
  return usable;
}

std::vector<v1::BalancerKind> DriverSet::UsableBalancers() {
  std::vector<v1::BalancerKind> usable = {v1::BALANCER_KIND_NONE};
  for (auto& [kind, balancer] : balancers_) {
    if (balancer->CheckUsable().ok()) usable.push_back(kind);
  }
  return usable;
}

std::vector<v1::Unavailable> DriverSet::Unavailable() {
  std::vector<v1::Unavailable> out;
  std::map<v1::Platform, std::string> reasons = missing_;
  for (auto& [platform, driver] : targets_) {
    if (absl::Status s = driver->CheckUsable(); !s.ok()) {
      reasons[platform] = std::string(s.message());
    }
  }
  // Unikernel images run on qemu or xen: unavailable when both are.
  const auto reason_of = [&](v1::Platform p) -> std::string {
    if (auto it = reasons.find(p); it != reasons.end()) return it->second;
    return targets_.count(p) > 0 ? "" : "no driver here";
  };
  const std::string qemu = reason_of(v1::PLATFORM_QEMU);
  const std::string xen = reason_of(v1::PLATFORM_XEN);
  if (!qemu.empty() && !xen.empty()) {
    reasons[v1::PLATFORM_UNIKERNEL] =
        absl::StrCat("runs on qemu or xen, and neither is usable: qemu: ", qemu,
                     "; xen: ", xen);
  }
  for (const auto& [platform, reason] : reasons) {
    v1::Unavailable& u = out.emplace_back();
    u.set_platform(platform);
    u.set_reason(reason);
  }
  for (auto& [kind, balancer] : balancers_) {
    if (absl::Status s = balancer->CheckUsable(); !s.ok()) {
      v1::Unavailable& u = out.emplace_back();
      u.set_balancer(kind);
      u.set_reason(std::string(s.message()));
    }
  }
  return out;
}

}  // namespace scalebench::worker
