// The worker's part of PLATFORM_UNIKERNEL: none of its own. A unikernel
// runs on the driver of its hypervisor (registry.h's DriverPlatform), and
// a host can run it when that driver is usable.
#include "platforms/driver_factory.h"

namespace scalebench::platforms {
namespace {

class UnikernelDriverFactoryImpl final : public DriverFactory {
 public:
  v1::Platform platform() const override { return v1::PLATFORM_UNIKERNEL; }
  MadeDriver Make(const worker::WorkerContext&,
                  const DriverOptions&) const override {
    return {};
  }
};

}  // namespace

const DriverFactory& UnikernelDriverFactory() {
  static const UnikernelDriverFactoryImpl factory;
  return factory;
}

}  // namespace scalebench::platforms
