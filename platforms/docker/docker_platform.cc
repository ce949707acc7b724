// PLATFORM_DOCKER: a container on host networking, pinned with
// --cpuset-cpus (platforms/docker/docker_driver.h).
#include "platforms/platform.h"

namespace scalebench::platforms {
namespace {

class DockerPlatformDescription final : public PlatformDescription {
 public:
  v1::Platform id() const override { return v1::PLATFORM_DOCKER; }
  absl::string_view DisplayName() const override { return "Docker"; }
  uint32_t DefaultMemoryMb(const v1::TargetSpec&) const override {
    return kSmallMemoryMb;
  }
};

}  // namespace

const PlatformDescription& DockerPlatform() {
  static const DockerPlatformDescription description;
  return description;
}

}  // namespace scalebench::platforms
