#include "platforms/driver_factory.h"

namespace scalebench::platforms {

// Each folder's worker part, as platforms.def lists them.
#define SCALEBENCH_PLATFORM(Name) const DriverFactory& Name##DriverFactory();
#include "platforms/platforms.def"
#undef SCALEBENCH_PLATFORM

void DriverFactory::ShapeLaunch(const v1::TargetSpec&, const std::string& image,
                                worker::TargetLaunch* launch) const {
  launch->image = image;
}

const std::vector<const DriverFactory*>& AllDriverFactories() {
  static const auto* const all = new std::vector<const DriverFactory*>{
#define SCALEBENCH_PLATFORM(Name) &Name##DriverFactory(),
#include "platforms/platforms.def"
#undef SCALEBENCH_PLATFORM
  };
  return *all;
}

const DriverFactory* FindDriverFactory(v1::Platform platform) {
  for (const DriverFactory* f : AllDriverFactories()) {
    if (f->platform() == platform) return f;
  }
  return nullptr;
}

}  // namespace scalebench::platforms
