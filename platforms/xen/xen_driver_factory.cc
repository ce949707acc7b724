// The worker's part of PLATFORM_XEN: platforms/xen/xen_driver.h.
#include "absl/strings/str_cat.h"
#include "platforms/driver_factory.h"
#include "platforms/xen/xen_driver.h"

namespace scalebench::platforms {
namespace {

// Guests get addresses of their own on the dom0 bridge's network: this
// prefix and kFirstGuestHost + the instance number (10.200.0.10, .11,
// ...), and serve on port 80.
constexpr char kGuestNetworkPrefix[] = "10.200.0";
constexpr int kFirstGuestHost = 10;
constexpr uint16_t kGuestPort = 80;
// A guest's type when target.xen_type is empty.
constexpr char kDefaultXenType[] = "pvh";

class XenDriverFactoryImpl final : public DriverFactory {
 public:
  v1::Platform platform() const override { return v1::PLATFORM_XEN; }
  // `xl info` gives the version and the dom0's XenFacts when this host is
  // one.
  MadeDriver Make(const worker::WorkerContext& context,
                  const DriverOptions&) const override {
    MadeDriver made;
    auto driver = std::make_unique<worker::XenDriver>(context);
    if (absl::StatusOr<worker::XenHostInfo> info = driver->HostInfo();
        info.ok()) {
      made.program = "xen";
      made.version = info->xen_version;
      v1::XenFacts& facts = *made.facts.mutable_xen();
      facts.set_version(info->xen_version);
      facts.set_nr_cpus(static_cast<uint32_t>(info->nr_cpus));
      facts.set_total_memory_mb(info->total_memory_mb);
      facts.set_free_memory_mb(info->free_memory_mb);
    }
    made.driver = std::move(driver);
    return made;
  }

  void ShapeLaunch(const v1::TargetSpec& target, const std::string& image,
                   worker::TargetLaunch* launch) const override {
    launch->image = image;
    launch->variant =
        target.xen_type().empty() ? kDefaultXenType : target.xen_type();
    launch->listen_address =
        absl::StrCat(kGuestNetworkPrefix, ".", kFirstGuestHost + launch->index);
    launch->port = kGuestPort;
  }
};

}  // namespace

const DriverFactory& XenDriverFactory() {
  static const XenDriverFactoryImpl factory;
  return factory;
}

}  // namespace scalebench::platforms
