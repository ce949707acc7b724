// The worker's part of PLATFORM_DOCKER: platforms/docker/docker_driver.h.
#include "platforms/docker/docker_driver.h"
#include "platforms/driver_factory.h"

namespace scalebench::platforms {
namespace {

class DockerDriverFactoryImpl final : public DriverFactory {
 public:
  v1::Platform platform() const override { return v1::PLATFORM_DOCKER; }
  // Without an engine to talk to there is no driver: `missing` says why.
  MadeDriver Make(const worker::WorkerContext& context,
                  const DriverOptions& options) const override {
    MadeDriver made;
    worker::DockerDriverOptions docker;
    docker.docker_host = worker::ResolveDockerHost(options.docker_host);
    absl::StatusOr<std::unique_ptr<worker::DockerDriver>> driver =
        worker::DockerDriver::Create(context, docker);
    if (driver.ok()) {
      made.driver = *std::move(driver);
    } else {
      made.missing = std::string(driver.status().message());
    }
    return made;
  }
};

}  // namespace

const DriverFactory& DockerDriverFactory() {
  static const DockerDriverFactoryImpl factory;
  return factory;
}

}  // namespace scalebench::platforms
