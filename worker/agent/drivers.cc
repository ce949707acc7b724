#include "worker/agent/drivers.h"

#include "worker/balancers/haproxy_balancer.h"
#include "worker/balancers/nginx_balancer.h"
#include "worker/program_version.h"
#include "worker/targets/docker_driver.h"
#include "worker/targets/native_driver.h"
#include "worker/targets/qemu_driver.h"
#include "worker/targets/xen_driver.h"

namespace scalebench::worker {

std::unique_ptr<DriverSet> MakeDrivers(const WorkerContext& context,
                                       const DriverOptions& options) {
  auto drivers = std::make_unique<DriverSet>();
  auto native = std::make_unique<NativeDriver>(context);
  if (absl::StatusOr<std::string> v = native->Version(); v.ok()) {
    drivers->SetVersion("nginx", *v);
  }
  drivers->AddTarget(std::move(native));
  auto haproxy = std::make_unique<HaproxyBalancer>(context);
  if (absl::StatusOr<std::string> v = haproxy->Version(); v.ok()) {
    drivers->SetVersion("haproxy", *v);
  }
  drivers->AddBalancer(std::move(haproxy));
  drivers->AddBalancer(std::make_unique<NginxBalancer>(context));
  QemuOptions qemu;
  qemu.image_dir = options.qemu_image_dir.empty() ? SCALEBENCH_QEMU_IMAGE_DIR
                                                  : options.qemu_image_dir;
  if (absl::StatusOr<std::string> v =
          ProgramVersion(*context.env, {qemu.qemu_binary, "--version"},
                         "QEMU emulator version ");
      v.ok()) {
    drivers->SetVersion("qemu", *v);
  }
  // A host fact, learnt once here and never by the driver's Plan().
  qemu.kvm_usable = options.probe_host
                        ? ProbeKvm(QemuDriver::MakeKvmProbe(context, qemu),
                                   *context.env, *context.clock)
                        : KvmDeviceAccessible();
  drivers->AddTarget(std::make_unique<QemuDriver>(context, qemu));
  DockerDriverOptions docker;
  docker.docker_host = ResolveDockerHost(options.docker_host);
  absl::StatusOr<std::unique_ptr<DockerDriver>> docker_driver =
      DockerDriver::Create(context, docker);
  if (docker_driver.ok()) {
    drivers->AddTarget(*std::move(docker_driver));
  } else {
    drivers->AddMissingTarget(v1::PLATFORM_DOCKER,
                              std::string(docker_driver.status().message()));
  }
  auto xen = std::make_unique<XenDriver>(context);
  if (absl::StatusOr<XenHostInfo> info = xen->HostInfo(); info.ok()) {
    drivers->SetVersion("xen", info->xen_version);
    v1::XenFacts facts;
    facts.set_version(info->xen_version);
    facts.set_nr_cpus(static_cast<uint32_t>(info->nr_cpus));
    facts.set_total_memory_mb(info->total_memory_mb);
    facts.set_free_memory_mb(info->free_memory_mb);
    drivers->set_xen(std::move(facts));
  }
  drivers->AddTarget(std::move(xen));
  return drivers;
}

}  // namespace scalebench::worker
