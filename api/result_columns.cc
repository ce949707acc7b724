#include "api/result_columns.h"

#include <cstdint>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "api/enum_names.h"

namespace scalebench::api {
namespace {

constexpr const char* kFactors[] = {
    "platform",    "instances", "balancer",
    "algorithm",   "hosts",     "vcpus",
    "vcpus_total", "keepalive", "health_check_interval",
    "connections"};
constexpr const char* kMetrics[] = {
    "requests_per_s", "transfer_kb_per_s", "latency_mean_us", "latency_p50_us",
    "latency_p90_us", "latency_p99_us",    "latency_max_us",  "errors",
    "start_skew_us"};
constexpr const char* kModelX[] = {"instances", "vcpus_total", "hosts", "vcpus",
                                   "connections"};

// A Duration in seconds, exactly: "0", "2", "0.5", "-1.25".
std::string Seconds(const google::protobuf::Duration& d) {
  const bool negative = d.seconds() < 0 || d.nanos() < 0;
  const uint64_t seconds = static_cast<uint64_t>(std::llabs(d.seconds()));
  const uint32_t nanos = static_cast<uint32_t>(std::abs(d.nanos()));
  std::string text = absl::StrCat(negative ? "-" : "", seconds);
  if (nanos != 0) {
    const std::string fraction = absl::StrFormat("%09u", nanos);
    absl::string_view trimmed = fraction;
    while (!trimmed.empty() && trimmed.back() == '0') {
      trimmed.remove_suffix(1);
    }
    absl::StrAppend(&text, ".", trimmed);
  }
  return text;
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

std::vector<std::string> FactorCells(const v1::Configuration& c) {
  return {EnumName(c.platform()),
          absl::StrCat(c.instances()),
          EnumName(c.balancer()),
          EnumName(c.algorithm()),
          absl::StrCat(c.hosts()),
          absl::StrCat(c.vcpus()),
          absl::StrCat(uint64_t{c.instances()} * c.vcpus()),
          c.keepalive() ? "true" : "false",
          Seconds(c.health_check_interval()),
          absl::StrCat(c.connections())};
}

}  // namespace scalebench::api
