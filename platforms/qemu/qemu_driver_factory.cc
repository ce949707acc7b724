// The worker's part of PLATFORM_QEMU: platforms/qemu/qemu_driver.h.
#include "platforms/driver_factory.h"
#include "platforms/platform.h"
#include "platforms/qemu/qemu_driver.h"
#include "platforms/qemu/qemu_platform.h"
#include "worker/host_facts.h"
#include "worker/program_version.h"

namespace scalebench::platforms {
namespace {

class QemuDriverFactoryImpl final : public DriverFactory {
 public:
  v1::Platform platform() const override { return v1::PLATFORM_QEMU; }
  MadeDriver Make(const worker::WorkerContext& context,
                  const DriverOptions& options) const override {
    MadeDriver made;
    worker::QemuOptions qemu;
    qemu.image_dir = options.qemu_image_dir.empty() ? SCALEBENCH_QEMU_IMAGE_DIR
                                                    : options.qemu_image_dir;
    if (absl::StatusOr<std::string> v = worker::ProgramVersion(
            *context.env, {qemu.qemu_binary, "--version"},
            "QEMU emulator version ");
        v.ok()) {
      made.program = "qemu";
      made.version = *v;
    }
    // A host fact, learnt once here and never by the driver's Plan().
    qemu.kvm_usable =
        options.probe_host
            ? worker::ProbeKvm(worker::QemuDriver::MakeKvmProbe(context, qemu),
                               *context.env, *context.clock)
            : worker::KvmDeviceAccessible();
    made.driver = std::make_unique<worker::QemuDriver>(context, qemu);
    return made;
  }

  // A built-in image is a variant of the guest ("general", or a
  // unikernel's "single-app"); any other is a kernel path.
  void ShapeLaunch(const v1::TargetSpec&, const std::string& image,
                   worker::TargetLaunch* launch) const override {
    if (IsBuiltInImage(image)) {
      launch->variant = image.empty() ? worker::kQemuVariantGeneral : image;
    } else {
      launch->image = image;
    }
  }
};

}  // namespace

const DriverFactory& QemuDriverFactory() {
  static const QemuDriverFactoryImpl factory;
  return factory;
}

}  // namespace scalebench::platforms
