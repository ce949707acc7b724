// The worker's part of a platform: the code that builds the TargetDriver
// for it on this host, probes the version of what runs it and the host
// facts only it knows, and fills the launch fields its driver reads. Linked
// by the worker only (scalebench_platform_drivers), so the coordinator and
// the CLI's remote commands never link driver code; the description of the
// same platform is platform.h. One implementation per folder
// platforms/NAME/, listed in platforms/platforms.def. Stateless;
// thread-safe.
#ifndef SCALEBENCH_PLATFORMS_DRIVER_FACTORY_H_
#define SCALEBENCH_PLATFORMS_DRIVER_FACTORY_H_

#include <memory>
#include <string>
#include <vector>

#include "scalebench/v1/common.pb.h"
#include "scalebench/v1/spec.pb.h"
#include "worker/targets/target_driver.h"
#include "worker/worker_context.h"

namespace scalebench::platforms {

// What the drivers need from the worker's command line.
struct DriverOptions {
  // The Docker engine, "unix:///path"; empty = DOCKER_HOST, else
  // unix:///var/run/docker.sock.
  std::string docker_host;
  // The qemu guests' images (deploy/images/build-qemu-images.sh); empty =
  // the build tree's build/images/qemu.
  std::string qemu_image_dir;
  // Gather the host facts that take running something (the KVM probe
  // boots a guest); false for a dry run, which then goes by whether
  // /dev/kvm is accessible. Default true.
  bool probe_host = true;
};

// What a platform's worker part made on this host.
struct MadeDriver {
  // The driver; null when it could not be made (`missing` says why) or the
  // platform has no driver of its own (a unikernel).
  std::unique_ptr<worker::TargetDriver> driver;
  std::string missing;
  // The program behind the driver and its version ("qemu", "8.0.4");
  // both empty when the probe failed.
  std::string program;
  std::string version;
  // Facts only this platform knows (a dom0's XenFacts), merged into the
  // host's facts.
  v1::HostFacts facts;
};

class DriverFactory {
 public:
  virtual ~DriverFactory() = default;

  // The platform whose driver this makes.
  virtual v1::Platform platform() const = 0;

  // Builds the driver for a worker with `context`. A driver whose
  // platform is not usable here is still made; its CheckUsable() says
  // why. Probes versions and facts; starts no target.
  virtual MadeDriver Make(const worker::WorkerContext& context,
                          const DriverOptions& options) const = 0;

  // Fills what this platform's driver reads of `launch` beyond the
  // generic fields: the image and variant, from `image` (target.image, or
  // the requested platform's default image) and `target`; a platform
  // whose guests have addresses of their own sets listen_address and port
  // too. Default: launch->image = image.
  virtual void ShapeLaunch(const v1::TargetSpec& target,
                           const std::string& image,
                           worker::TargetLaunch* launch) const;
};

// The factory of `platform`'s driver; null for an unknown platform.
const DriverFactory* FindDriverFactory(v1::Platform platform);

// Every factory, in platforms.def's order.
const std::vector<const DriverFactory*>& AllDriverFactories();

}  // namespace scalebench::platforms

#endif  // SCALEBENCH_PLATFORMS_DRIVER_FACTORY_H_
