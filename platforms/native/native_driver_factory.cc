// The worker's part of PLATFORM_NATIVE: platforms/native/native_driver.h.
#include "platforms/driver_factory.h"
#include "platforms/native/native_driver.h"

namespace scalebench::platforms {
namespace {

class NativeDriverFactoryImpl final : public DriverFactory {
 public:
  v1::Platform platform() const override { return v1::PLATFORM_NATIVE; }
  MadeDriver Make(const worker::WorkerContext& context,
                  const DriverOptions&) const override {
    MadeDriver made;
    auto driver = std::make_unique<worker::NativeDriver>(context);
    if (absl::StatusOr<std::string> v = driver->Version(); v.ok()) {
      made.program = "nginx";
      made.version = *v;
    }
    made.driver = std::move(driver);
    return made;
  }
};

}  // namespace

const DriverFactory& NativeDriverFactory() {
  static const NativeDriverFactoryImpl factory;
  return factory;
}

}  // namespace scalebench::platforms
