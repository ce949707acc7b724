#include "spec/validate.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "api/enum_names.h"
#include "common/echo_text.h"
#include "common/flag_values.h"
#include "spec/defaults.h"
#include "spec/durations.h"
#include "spec/grid.h"
#include "spec/limits.h"
#include "spec/platform_checks.h"
#include "spec/validate_internal.h"

namespace scalebench::spec {
namespace {

using validate_internal::At;
using validate_internal::CheckAtMost;
using validate_internal::CheckListSize;
using validate_internal::CheckModel;
using validate_internal::Index;
using validate_internal::Problem;

// The servers a target can run today.
const char* const kServers[] = {"nginx"};

template <size_t N>
bool OneOf(absl::string_view text, const char* const (&names)[N]) {
  for (const char* name : names) {
    if (text == name) return true;
  }
  return false;
}

template <size_t N>
std::string List(const char* const (&names)[N]) {
  return absl::StrJoin(names, ", ");
}

bool AllOf(absl::string_view text, bool (*ok)(char)) {
  for (char c : text) {
    if (!ok(c)) return false;
  }
  return true;
}

bool NameChar(char c) {
  return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-';
}
bool ImageChar(char c) {
  return absl::ascii_isalnum(c) || absl::StrContains("._-:/@+,=", c);
}
bool MethodChar(char c) { return absl::ascii_isupper(c); }
bool VisibleChar(char c) { return c > ' ' && c < 0x7f; }
// RFC 9110 tchar.
bool TokenChar(char c) {
  return absl::ascii_isalnum(c) || absl::StrContains("!#$%&'*+-.^_`|~", c);
}
bool HeaderValueChar(char c) { return c == '\t' || (c >= ' ' && c < 0x7f); }

template <typename E>
Problem CheckEnum(absl::string_view path, E value, bool required) {
  if (value == 0) {
    if (!required) return std::nullopt;
    return At(path, "is required; one of ",
              absl::StrJoin(api::EnumNames<E>(), ", "));
  }
  if (api::EnumName(value).empty()) {
    return At(path, static_cast<int>(value), " is not one of ",
              absl::StrJoin(api::EnumNames<E>(), ", "));
  }
  return std::nullopt;
}

Problem CheckDuration(absl::string_view path,
                      const google::protobuf::Duration& d, bool positive) {
  if (absl::Status s = ValidateProtoDuration(d); !s.ok()) {
    return At(path, s.message());
  }
  if (positive && FromProto(d) <= absl::ZeroDuration()) {
    return At(path, "must be longer than 0s");
  }
  return std::nullopt;
}

// A problem when duration `d` (valid) is longer than kMaxWindow.
Problem CheckWindow(absl::string_view path,
                    const google::protobuf::Duration& d) {
  if (FromProto(d) <= kMaxWindow) return std::nullopt;
  return At(path, DurationText(d), " is longer than the maximum, ",
            absl::FormatDuration(kMaxWindow));
}

Problem CheckName(const v1::ExperimentSpec& spec) {
  const std::string& name = spec.name();
  if (name.empty()) return At("name", "is required");
  if (name.size() > kMaxNameLength || !AllOf(name, NameChar)) {
    return At("name", QuoteValue(name), " is not 1 to ", kMaxNameLength,
              " letters, digits, '.', '_' or '-'");
  }
  return std::nullopt;
}

Problem CheckRepetitions(const v1::RepetitionPolicy& policy) {
  if (policy.policy_case() == v1::RepetitionPolicy::kCount) {
    if (policy.count() < 1) return At("repetitions", "must be at least 1");
    return CheckAtMost("repetitions", policy.count(), kMaxRepetitions);
  }
  if (policy.policy_case() != v1::RepetitionPolicy::kAdaptive) {
    return std::nullopt;
  }
  const v1::RepetitionPolicy::Adaptive& until = policy.adaptive();
  const double w = until.ci_halfwidth();
  if (w == 0) {
    return At("repetitions.until.ci_halfwidth",
              "is required: the target half-width of the median's interval, "
              "relative to the median (0.03 = 3%)");
  }
  if (!(w > 0 && w < 1)) {
    return At("repetitions.until.ci_halfwidth", w,
              " is not in (0, 1); 0.03 means 3% of the median");
  }
  if (until.has_min() && until.min() < kMinAdaptiveRepetitions) {
    return At("repetitions.until.min", until.min(), " is less than ",
              kMinAdaptiveRepetitions,
              ", the fewest repetitions with a distribution-free 95% "
              "interval of the median");
  }
  const uint32_t min = MinRepetitions(policy);
  if (until.max() == 0) {
    return At("repetitions.until.max", "is required (at least ", min, ")");
  }
  if (until.max() < min) {
    return At("repetitions.until.max", until.max(), " is less than min (", min,
              ")");
  }
  return CheckAtMost("repetitions.until.max", until.max(), kMaxRepetitions);
}

Problem CheckService(const v1::ServiceSpec& service) {
  if (service.has_server() && !OneOf(service.server(), kServers)) {
    return At("service.server", QuoteValue(service.server()), " is not one of ",
              List(kServers));
  }
  if (Problem p = CheckAtMost("service.page_bytes", service.page_bytes(),
                              kMaxPageBytes)) {
    return p;
  }
  return CheckAtMost("service.worker_processes", service.worker_processes(),
                     kMaxWorkerProcesses);
}

Problem CheckTarget(const v1::ExperimentSpec& spec) {
  const v1::TargetSpec& target = spec.target();
  const TargetBounds bounds = TargetBoundsOf(spec);
  if (target.has_vcpus() && target.vcpus() < 1) {
    return At("target.vcpus", "must be at least 1");
  }
  if (Problem p = CheckAtMost("target.vcpus", target.vcpus(), bounds.max_vcpus,
                              bounds.vcpus_why)) {
    return p;
  }
  if (target.has_memory_mb()) {
    const uint32_t min = bounds.min_memory_mb;
    if (target.memory_mb() < min) {
      return At("target.memory_mb", "must be at least ", min,
                min == 1 ? "" : " for the guests of sweep.platform");
    }
    if (Problem p =
            CheckAtMost("target.memory_mb", target.memory_mb(), kMaxMemoryMb)) {
      return p;
    }
  }
  if (target.image().size() > kMaxImageLength ||
      !AllOf(target.image(), ImageChar)) {
    return At("target.image", QuoteValue(target.image()),
              " may hold only letters, digits and . _ - : / @ + , = (at most ",
              kMaxImageLength, ")");
  }
  // xen_type, hypervisor and the image's form: each platform's own.
  return CheckPlatformFields(spec);
}

Problem CheckHeader(absl::string_view path, absl::string_view header) {
  const size_t colon = header.find(':');
  const absl::string_view name = header.substr(0, colon);
  if (colon == absl::string_view::npos || name.empty() ||
      !AllOf(name, TokenChar) || header.size() > kMaxHeaderLength ||
      !AllOf(header.substr(colon + 1), HeaderValueChar)) {
    return At(path, QuoteValue(header),
              " is not 'Name: value' (a token, a colon, then printable "
              "text on one line, at most ",
              kMaxHeaderLength, " bytes)");
  }
  return std::nullopt;
}

Problem CheckLoad(const v1::LoadSpec& load) {
  if (Problem p = CheckEnum("loadgen.mode", load.mode(), false)) return p;
  if (load.has_connections() && load.connections() < 1) {
    return At("loadgen.connections", "must be at least 1");
  }
  if (Problem p = CheckAtMost("loadgen.connections", load.connections(),
                              kMaxConnections)) {
    return p;
  }
  if (Problem p = CheckAtMost("loadgen.threads", load.threads(), kMaxThreads)) {
    return p;
  }
  switch (load.length_case()) {
    case v1::LoadSpec::kDuration:
      if (Problem p = CheckDuration("loadgen.duration", load.duration(), true))
        return p;
      if (Problem p = CheckWindow("loadgen.duration", load.duration()))
        return p;
      break;
    case v1::LoadSpec::kRequests:
      if (load.requests() < 1) {
        return At("loadgen.requests", "must be at least 1");
      }
      if (Problem p =
              CheckAtMost("loadgen.requests", load.requests(), kMaxRequests)) {
        return p;
      }
      break;
    case v1::LoadSpec::LENGTH_NOT_SET:
      return At("loadgen",
                "needs the length of the measurement window: duration (such "
                "as 30s) or requests (per load-generator host)");
  }
  const bool open = load.mode() == v1::LOAD_MODE_OPEN;
  const std::string mode =
      api::EnumName(open ? v1::LOAD_MODE_OPEN : v1::LOAD_MODE_CLOSED);
  if (open && load.rate() == 0) {
    return At("loadgen.rate", "is required for mode ", mode,
              " (requests per second per load-generator host)");
  }
  if (!open && load.rate() != 0) {
    return At("loadgen.rate", "is only for mode ",
              api::EnumName(v1::LOAD_MODE_OPEN), "; mode is ", mode);
  }
  if (open && !(std::isfinite(load.rate()) && load.rate() > 0)) {
    return At("loadgen.rate", load.rate(), " is not a rate > 0");
  }
  if (open && !(load.rate() >= kMinRate && load.rate() <= kMaxRate)) {
    return At("loadgen.rate", load.rate(), " is not from ", kMinRate, " to ",
              kMaxRate, " requests per second");
  }
  if (load.has_warmup()) {
    if (Problem p = CheckDuration("loadgen.warmup", load.warmup(), false))
      return p;
    if (Problem p = CheckWindow("loadgen.warmup", load.warmup())) return p;
  }
  if (load.has_timeout()) {
    if (Problem p = CheckDuration("loadgen.timeout", load.timeout(), true))
      return p;
  }
  if (load.has_method() &&
      (load.method().empty() || load.method().size() > kMaxMethodLength ||
       !AllOf(load.method(), MethodChar))) {
    return At("loadgen.method", QuoteValue(load.method()),
              " is not an HTTP method in capitals, such as GET or POST");
  }
  if (load.has_path() && (!absl::StartsWith(load.path(), "/") ||
                          load.path().size() > kMaxPathLength ||
                          !AllOf(load.path(), VisibleChar))) {
    return At("loadgen.path", QuoteValue(load.path()),
              " is not a path that starts with '/' and has no spaces or "
              "control characters (at most ",
              kMaxPathLength, " bytes)");
  }
  if (Problem p = CheckListSize("loadgen.headers", load.headers_size(),
                                kMaxHeaders, "headers")) {
    return p;
  }
  for (int i = 0; i < load.headers_size(); ++i) {
    if (Problem p = CheckHeader(Index("loadgen.headers", i), load.headers(i)))
      return p;
  }
  if (load.has_max_error_rate() &&
      !(load.max_error_rate() >= 0 && load.max_error_rate() <= 1)) {
    return At("loadgen.max_error_rate", load.max_error_rate(),
              " is not a fraction from 0 to 1 (0.01 lets 1% of the "
              "requests fail)");
  }
  if (load.has_start_tolerance()) {
    if (Problem p = CheckDuration("loadgen.start_tolerance",
                                  load.start_tolerance(), false)) {
      return p;
    }
    if (FromProto(load.start_tolerance()) > kMaxStartTolerance) {
      return At("loadgen.start_tolerance", DurationText(load.start_tolerance()),
                " is longer than the maximum, ",
                absl::FormatDuration(kMaxStartTolerance),
                ": a later start mixes phases of the load across hosts");
    }
  }
  if (load.body().size() > kMaxBodyBytes) {
    return At("loadgen.body", "has ", load.body().size(),
              " bytes, more than the ", kMaxBodyBytes, " allowed");
  }
  absl::flat_hash_set<uint32_t> cpus;
  for (int i = 0; i < load.cpus_size(); ++i) {
    const uint32_t cpu = load.cpus(i);
    if (cpu > kMaxCpu) {
      return At(Index("loadgen.cpus", i), cpu, " is not a core below ",
                kMaxCpu + 1);
    }
    if (!cpus.insert(cpu).second) {
      return At(Index("loadgen.cpus", i), "core ", cpu, " is listed twice");
    }
  }
  return std::nullopt;
}

// Checks each level of one factor with `check` and that none repeats;
// `text` spells a level for messages.
template <typename List, typename Check, typename Text>
Problem CheckLevels(absl::string_view factor, const List& levels, Check check,
                    Text text) {
  const std::string path = absl::StrCat("sweep.", factor);
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < levels.size(); ++i) {
    const std::string at = Index(path, i);
    if (Problem p = check(at, levels.Get(i))) return p;
    const std::string level = text(levels.Get(i));
    if (!seen.insert(level).second) {
      return At(at, level, " is listed twice");
    }
  }
  return std::nullopt;
}

template <typename E>
Problem CheckEnumLevels(absl::string_view factor,
                        const google::protobuf::RepeatedField<int>& levels) {
  return CheckLevels(
      factor, levels,
      [](absl::string_view at, int v) {
        return CheckEnum(at, static_cast<E>(v), true);
      },
      [](int v) { return api::EnumName(static_cast<E>(v)); });
}

// Levels from 1 to `max`; `why` says whose bound `max` is, if anyone's.
Problem CheckCountLevels(absl::string_view factor,
                         const google::protobuf::RepeatedField<uint32_t>& v,
                         uint32_t max, absl::string_view why = "") {
  return CheckLevels(
      factor, v,
      [max, why](absl::string_view at, uint32_t n) -> Problem {
        if (n < 1) return At(at, "must be at least 1");
        return CheckAtMost(at, n, max, why);
      },
      [](uint32_t n) { return absl::StrCat(n); });
}

// The number of levels of every factor, before any level is looked at.
Problem CheckLevelCounts(const v1::SweepSpec& sweep) {
  const google::protobuf::Reflection& reflection = *sweep.GetReflection();
  const google::protobuf::Descriptor& descriptor = *sweep.GetDescriptor();
  for (int i = 0; i < descriptor.field_count(); ++i) {
    const google::protobuf::FieldDescriptor* factor = descriptor.field(i);
    if (Problem p = CheckListSize(absl::StrCat("sweep.", factor->name()),
                                  reflection.FieldSize(sweep, factor),
                                  kMaxLevelsPerFactor, "levels")) {
      return p;
    }
  }
  return std::nullopt;
}

// The connections levels every configuration has: sweep.connections, or
// loadgen.connections (default 100) when the sweep lists none.
std::vector<uint32_t> ConnectionLevels(const v1::ExperimentSpec& spec) {
  const auto& levels = spec.sweep().connections();
  if (!levels.empty()) return {levels.begin(), levels.end()};
  return {spec.loadgen().has_connections() ? spec.loadgen().connections()
                                           : kDefaultConnections};
}

// What the load generator refuses for some configuration: more threads
// than connections, fewer requests than connections.
Problem CheckLoadAgainstConnections(const v1::ExperimentSpec& spec) {
  const std::vector<uint32_t> levels = ConnectionLevels(spec);
  const uint32_t fewest = *std::min_element(levels.begin(), levels.end());
  const uint32_t most = *std::max_element(levels.begin(), levels.end());
  const v1::LoadSpec& load = spec.loadgen();
  if (load.threads() > fewest) {
    return At("loadgen.threads", load.threads(), " is more than ", fewest,
              " connections (each thread needs a connection of its own)");
  }
  if (load.length_case() == v1::LoadSpec::kRequests && load.requests() < most) {
    return At("loadgen.requests", load.requests(), " is fewer than ", most,
              " connections (each connection sends at least one request)");
  }
  return std::nullopt;
}

// Configurations x the most repetitions per configuration.
Problem CheckTrials(const v1::ExperimentSpec& spec, uint64_t configurations) {
  const uint64_t repetitions = MaxRepetitions(spec.repetitions());
  // Both are bounded (10,000 and 1,000 by default): no overflow.
  const uint64_t trials = configurations * repetitions;
  if (trials <= kMaxTrials) return std::nullopt;
  const bool adaptive =
      spec.repetitions().policy_case() == v1::RepetitionPolicy::kAdaptive;
  return At(adaptive ? "repetitions.until.max" : "repetitions", configurations,
            " configurations x ", repetitions, " repetitions = ", trials,
            " trials, more than the ", kMaxTrials, " one experiment may have");
}

Problem CheckSweep(const v1::ExperimentSpec& spec) {
  const v1::SweepSpec& sweep = spec.sweep();
  if (Problem p = CheckLevelCounts(sweep)) return p;
  if (Problem p = CheckEnumLevels<v1::Platform>("platform", sweep.platform()))
    return p;
  if (Problem p =
          CheckCountLevels("instances", sweep.instances(), kMaxInstances))
    return p;
  if (Problem p =
          CheckEnumLevels<v1::BalancerKind>("balancer", sweep.balancer()))
    return p;
  if (Problem p = CheckEnumLevels<v1::BalancerAlgorithm>("algorithm",
                                                         sweep.algorithm()))
    return p;
  if (Problem p = CheckCountLevels("hosts", sweep.hosts(), kMaxHosts)) return p;
  const TargetBounds bounds = TargetBoundsOf(spec);
  if (Problem p = CheckCountLevels("vcpus", sweep.vcpus(), bounds.max_vcpus,
                                   bounds.vcpus_why))
    return p;
  if (Problem p = CheckLevels(
          "keepalive", sweep.keepalive(),
          [](absl::string_view, bool) -> Problem { return std::nullopt; },
          [](bool b) { return b ? "true" : "false"; }))
    return p;
  if (Problem p = CheckLevels(
          "health_check_interval", sweep.health_check_interval(),
          [](absl::string_view at, const google::protobuf::Duration& d) {
            return CheckDuration(at, d, false);
          },
          [](const google::protobuf::Duration& d) { return DurationText(d); }))
    return p;
  if (Problem p =
          CheckCountLevels("connections", sweep.connections(), kMaxConnections))
    return p;
  const uint64_t count = CountConfigurations(spec);
  if (count == 0) {
    return At("sweep.hosts",
              "every level is above every level of sweep.instances: each "
              "host needs at least one instance, so there is no "
              "configuration");
  }
  if (count > kMaxConfigurations) {
    return At("sweep", "has ", count, " configurations, more than the ",
              kMaxConfigurations, " one experiment may have");
  }
  if (Problem p = CheckLoadAgainstConnections(spec)) return p;
  return CheckTrials(spec, count);
}

Problem CheckTimeouts(const v1::PhaseTimeouts& t) {
  const std::pair<const char*, const google::protobuf::Duration*> fields[] = {
      {"timeouts.prepare", t.has_prepare() ? &t.prepare() : nullptr},
      {"timeouts.balance", t.has_balance() ? &t.balance() : nullptr},
      {"timeouts.start_lead", t.has_start_lead() ? &t.start_lead() : nullptr},
      {"timeouts.collect", t.has_collect() ? &t.collect() : nullptr},
  };
  for (const auto& [path, d] : fields) {
    if (d == nullptr) continue;
    if (Problem p = CheckDuration(path, *d, true)) return p;
  }
  return std::nullopt;
}

Problem CheckPlacement(const v1::ExperimentSpec& spec) {
  const v1::BalancerPlacement balancer = spec.placement().balancer();
  if (Problem p = CheckEnum("placement.balancer", balancer, false)) return p;
  if (balancer != v1::BALANCER_PLACEMENT_OWN_HOST) return std::nullopt;
  for (int kind : spec.sweep().balancer()) {
    if (kind != v1::BALANCER_KIND_NONE) return std::nullopt;
  }
  return At("placement.balancer",
            "own_host, but no level of sweep.balancer puts a balancer in "
            "front of the targets (add haproxy or nginx there)");
}

}  // namespace

std::optional<SpecProblem> FindSpecProblem(const v1::ExperimentSpec& spec) {
  if (Problem p = CheckName(spec)) return p;
  if (Problem p =
          CheckListSize("models", spec.models_size(), kMaxModels, "models")) {
    return p;
  }
  if (Problem p = CheckRepetitions(spec.repetitions())) return p;
  if (Problem p = CheckEnum("order", spec.order(), false)) return p;
  if (Problem p = CheckService(spec.service())) return p;
  if (Problem p = CheckTarget(spec)) return p;
  if (Problem p = CheckLoad(spec.loadgen())) return p;
  if (Problem p = CheckSweep(spec)) return p;
  for (int i = 0; i < spec.models_size(); ++i) {
    if (Problem p = CheckModel(i, spec.models(i))) return p;
  }
  if (spec.retry().has_max_attempts() && spec.retry().max_attempts() < 1) {
    return At("retry.max_attempts", "must be at least 1");
  }
  if (Problem p = CheckAtMost("retry.max_attempts", spec.retry().max_attempts(),
                              kMaxAttempts)) {
    return p;
  }
  if (Problem p = CheckTimeouts(spec.timeouts())) return p;
  if (Problem p = CheckPlacement(spec)) return p;
  // Last: every list and text is bounded by now, so what is left is their
  // sum.
  const size_t bytes = spec.ByteSizeLong();
  if (bytes > kMaxSpecBytes) {
    return At("", "the spec is ", bytes, " bytes as protobuf, more than the ",
              kMaxSpecBytes, " one experiment may have");
  }
  return std::nullopt;
}

absl::Status ValidateSpec(const v1::ExperimentSpec& spec) {
  const Problem problem = FindSpecProblem(spec);
  if (!problem.has_value()) return absl::OkStatus();
  if (problem->path.empty())
    return absl::InvalidArgumentError(problem->message);
  return absl::InvalidArgumentError(
      absl::StrCat(problem->path, ": ", problem->message));
}

}  // namespace scalebench::spec
