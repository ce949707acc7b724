#include "worker/agent/drivers.h"

#include "worker/balancers/haproxy_balancer.h"
#include "worker/balancers/nginx_balancer.h"

namespace scalebench::worker {

std::unique_ptr<DriverSet> MakeDrivers(const WorkerContext& context,
                                       const DriverOptions& options) {
  auto drivers = std::make_unique<DriverSet>();
  for (const platforms::DriverFactory* factory :
       platforms::AllDriverFactories()) {
    platforms::MadeDriver made = factory->Make(context, options);
    drivers->platform_facts().MergeFrom(made.facts);
    if (made.driver != nullptr) {
      drivers->AddTarget(std::move(made.driver),
                         {std::move(made.program), std::move(made.version)});
    } else if (!made.missing.empty()) {
      drivers->AddMissingTarget(factory->platform(), std::move(made.missing));
    }
  }
  auto haproxy = std::make_unique<HaproxyBalancer>(context);
  ProgramInfo haproxy_version;
  if (absl::StatusOr<std::string> v = haproxy->Version(); v.ok()) {
    haproxy_version = {"haproxy", *v};
  }
  drivers->AddBalancer(std::move(haproxy), std::move(haproxy_version));
  auto nginx = std::make_unique<NginxBalancer>(context);
  ProgramInfo nginx_version;
  if (absl::StatusOr<std::string> v = nginx->Version(); v.ok()) {
    nginx_version = {"nginx", *v};
  }
  drivers->AddBalancer(std::move(nginx), std::move(nginx_version));
  return drivers;
}

}  // namespace scalebench::worker
