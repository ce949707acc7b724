#include "api/result_columns.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "api/enum_names.h"

namespace scalebench::api {
namespace {

constexpr const char* kFactors[] = {
    "platform",    "instances", "balancer",
    "algorithm",   "hosts",     "vcpus",
    "vcpus_total", "keepalive", "health_check_interval",
    "connections"};
constexpr const char* kMetrics[] = {"requests_per_s",
                                    "transfer_kb_per_s",
                                    "latency_mean_us",
                                    "latency_p50_us",
                                    "latency_p90_us",
                                    "latency_p99_us",
                                    "latency_max_us",
                                    "errors",
                                    "error_rate",
                                    "start_skew_us",
                                    "start_skew_uncertainty_us",
                                    "start_spread_us",
                                    "observed_start_spread_us"};
constexpr const char* kModelX[] = {"instances", "vcpus_total", "hosts", "vcpus",
                                   "connections"};

// A Duration in seconds, exactly: "0", "2", "0.5", "-1.25".
// A duration as a spec writes one: "2s", "500ms", "1m30s", and "0s" (as
// docs/spec.md writes "off"), where absl would write "0".
std::string DurationCell(const google::protobuf::Duration& d) {
  const absl::Duration duration =
      absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
  if (duration == absl::ZeroDuration()) return "0s";
  return absl::FormatDuration(duration);
}

}  // namespace

absl::Span<const char* const> FactorColumns() { return kFactors; }
absl::Span<const char* const> MetricColumns() { return kMetrics; }
absl::Span<const char* const> ModelXColumns() { return kModelX; }
absl::Span<const char* const> ModelYColumns() { return kMetrics; }

bool IsColumn(absl::Span<const char* const> columns, absl::string_view name) {
  for (const char* column : columns) {
    if (name == column) return true;
  }
  return false;
}

bool HigherIsBetter(absl::string_view metric) {
  return metric == "requests_per_s" || metric == "transfer_kb_per_s";
}

std::vector<std::string> FactorCells(const v1::Configuration& c) {
  return {EnumName(c.platform()),
          absl::StrCat(c.instances()),
          EnumName(c.balancer()),
          EnumName(c.algorithm()),
          absl::StrCat(c.hosts()),
          absl::StrCat(c.vcpus()),
          absl::StrCat(uint64_t{c.instances()} * c.vcpus()),
          c.keepalive() ? "true" : "false",
          DurationCell(c.health_check_interval()),
          absl::StrCat(c.connections())};
}

}  // namespace scalebench::api
