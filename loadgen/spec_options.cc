#include "loadgen/spec_options.h"

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"

namespace scalebench::loadgen {
namespace {

constexpr uint32_t kDefaultConnections = 100;

}  // namespace

absl::StatusOr<LoadOptions> LoadOptionsFromSpec(
    const v1::LoadSpec& load, const std::vector<std::string>& endpoints,
    const std::vector<int>& cpus) {
  LoadOptions o;
  const std::string path = load.has_path() ? load.path() : "/";
  for (const std::string& endpoint : endpoints) {
    o.urls.push_back(absl::StrCat("http://", endpoint, path));
  }
  o.mode = load.mode() == v1::LOAD_MODE_OPEN ? Mode::kOpen : Mode::kClosed;
  o.connections =
      load.has_connections() ? load.connections() : kDefaultConnections;
  o.threads = load.threads();
  if (load.has_duration()) o.duration = DurationFromProto(load.duration());
  if (load.length_case() == v1::LoadSpec::kRequests)
    o.requests = load.requests();
  o.rate = load.rate();
  o.keepalive = !load.has_keepalive() || load.keepalive();
  if (load.has_warmup()) o.warmup = DurationFromProto(load.warmup());
  if (load.has_timeout()) o.timeout = DurationFromProto(load.timeout());
  if (load.has_method()) o.method = load.method();
  o.headers.assign(load.headers().begin(), load.headers().end());
  o.body = load.body();
  o.cpus = cpus;
  if (load.has_start_tolerance()) {
    o.start_tolerance = DurationFromProto(load.start_tolerance());
  }
  if (absl::Status s = ValidateOptions(o); !s.ok()) return s;
  return o;
}

}  // namespace scalebench::loadgen
