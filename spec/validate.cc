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
#include "analysis/model_fit.h"
#include "api/enum_names.h"
#include "api/result_columns.h"
#include "spec/defaults.h"
#include "spec/durations.h"
#include "spec/factors.h"
#include "spec/grid.h"

namespace scalebench::spec {
namespace {

using Problem = std::optional<SpecProblem>;

constexpr size_t kMaxNameLength = 64;
constexpr size_t kMaxImageLength = 1024;
constexpr size_t kMaxMethodLength = 20;
constexpr size_t kMaxPathLength = 2048;
constexpr size_t kMaxHeaderLength = 4096;
constexpr uint32_t kMaxCpu = 4095;
// The servers a target can run today.
const char* const kServers[] = {"nginx"};
// The hypervisors that run a unikernel.
const char* const kHypervisors[] = {"xen", "qemu"};
// Xen guest types, as xl.cfg spells them.
const char* const kXenTypes[] = {"pvh", "pv", "hvm"};

template <typename... Parts>
Problem At(absl::string_view path, const Parts&... parts) {
  return SpecProblem{std::string(path), absl::StrCat(parts...)};
}

std::string Index(absl::string_view path, int i) {
  return absl::StrCat(path, "[", i, "]");
}

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

Problem CheckName(const v1::ExperimentSpec& spec) {
  const std::string& name = spec.name();
  if (name.empty()) return At("name", "is required");
  if (name.size() > kMaxNameLength || !AllOf(name, NameChar)) {
    return At("name", "'", name, "' is not 1 to ", kMaxNameLength,
              " letters, digits, '.', '_' or '-'");
  }
  return std::nullopt;
}

Problem CheckRepetitions(const v1::RepetitionPolicy& policy) {
  if (policy.policy_case() == v1::RepetitionPolicy::kCount) {
    if (policy.count() < 1) return At("repetitions", "must be at least 1");
    return std::nullopt;
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
  return std::nullopt;
}

Problem CheckService(const v1::ServiceSpec& service) {
  if (service.has_server() && !OneOf(service.server(), kServers)) {
    return At("service.server", "'", service.server(), "' is not one of ",
              List(kServers));
  }
  return std::nullopt;
}

bool SweepsPlatform(const v1::ExperimentSpec& spec, v1::Platform platform) {
  for (int p : spec.sweep().platform()) {
    if (p == platform) return true;
  }
  return false;
}

Problem CheckTarget(const v1::ExperimentSpec& spec) {
  const v1::TargetSpec& target = spec.target();
  if (target.has_vcpus() && target.vcpus() < 1) {
    return At("target.vcpus", "must be at least 1");
  }
  if (target.has_memory_mb() && target.memory_mb() < 1) {
    return At("target.memory_mb", "must be at least 1");
  }
  if (target.image().size() > kMaxImageLength ||
      !AllOf(target.image(), ImageChar)) {
    return At("target.image", "'", target.image(),
              "' may hold only letters, digits and . _ - : / @ + , = (at most ",
              kMaxImageLength, ")");
  }
  const bool unikernel = SweepsPlatform(spec, v1::PLATFORM_UNIKERNEL);
  const std::string unikernel_name = api::EnumName(v1::PLATFORM_UNIKERNEL);
  if (!target.xen_type().empty()) {
    if (!OneOf(target.xen_type(), kXenTypes)) {
      return At("target.xen_type", "'", target.xen_type(), "' is not one of ",
                List(kXenTypes));
    }
    if (!SweepsPlatform(spec, v1::PLATFORM_XEN) &&
        !(unikernel && target.hypervisor() == "xen")) {
      return At("target.xen_type",
                "is only for Xen guests: sweep.platform has neither xen nor "
                "unikernel with target.hypervisor xen");
    }
  }
  if (target.hypervisor().empty()) {
    if (unikernel) {
      return At("target.hypervisor", "is required when sweep.platform has ",
                unikernel_name, ": one of ", List(kHypervisors));
    }
    return std::nullopt;
  }
  if (!OneOf(target.hypervisor(), kHypervisors)) {
    return At("target.hypervisor", "'", target.hypervisor(), "' is not one of ",
              List(kHypervisors));
  }
  if (!unikernel) {
    return At("target.hypervisor", "is only for platform ", unikernel_name,
              ", which sweep.platform does not have");
  }
  return std::nullopt;
}

Problem CheckHeader(absl::string_view path, absl::string_view header) {
  const size_t colon = header.find(':');
  const absl::string_view name = header.substr(0, colon);
  if (colon == absl::string_view::npos || name.empty() ||
      !AllOf(name, TokenChar) || header.size() > kMaxHeaderLength ||
      !AllOf(header.substr(colon + 1), HeaderValueChar)) {
    return At(path, "'", header,
              "' is not 'Name: value' (a token, a colon, then printable "
              "text on one line)");
  }
  return std::nullopt;
}

Problem CheckLoad(const v1::LoadSpec& load) {
  if (Problem p = CheckEnum("loadgen.mode", load.mode(), false)) return p;
  if (load.has_connections() && load.connections() < 1) {
    return At("loadgen.connections", "must be at least 1");
  }
  switch (load.length_case()) {
    case v1::LoadSpec::kDuration:
      if (Problem p = CheckDuration("loadgen.duration", load.duration(), true))
        return p;
      break;
    case v1::LoadSpec::kRequests:
      if (load.requests() < 1) {
        return At("loadgen.requests", "must be at least 1");
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
  if (load.has_warmup()) {
    if (Problem p = CheckDuration("loadgen.warmup", load.warmup(), false))
      return p;
  }
  if (load.has_timeout()) {
    if (Problem p = CheckDuration("loadgen.timeout", load.timeout(), true))
      return p;
  }
  if (load.has_method() &&
      (load.method().empty() || load.method().size() > kMaxMethodLength ||
       !AllOf(load.method(), MethodChar))) {
    return At("loadgen.method", "'", load.method(),
              "' is not an HTTP method in capitals, such as GET or POST");
  }
  if (load.has_path() && (!absl::StartsWith(load.path(), "/") ||
                          load.path().size() > kMaxPathLength ||
                          !AllOf(load.path(), VisibleChar))) {
    return At("loadgen.path", "'", load.path(),
              "' is not a path that starts with '/' and has no spaces or "
              "control characters");
  }
  for (int i = 0; i < load.headers_size(); ++i) {
    if (Problem p = CheckHeader(Index("loadgen.headers", i), load.headers(i)))
      return p;
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

Problem CheckCountLevels(absl::string_view factor,
                         const google::protobuf::RepeatedField<uint32_t>& v) {
  return CheckLevels(
      factor, v,
      [](absl::string_view at, uint32_t n) -> Problem {
        if (n < 1) return At(at, "must be at least 1");
        return std::nullopt;
      },
      [](uint32_t n) { return absl::StrCat(n); });
}

Problem CheckSweep(const v1::ExperimentSpec& spec) {
  const v1::SweepSpec& sweep = spec.sweep();
  if (Problem p = CheckEnumLevels<v1::Platform>("platform", sweep.platform()))
    return p;
  if (Problem p = CheckCountLevels("instances", sweep.instances())) return p;
  if (Problem p =
          CheckEnumLevels<v1::BalancerKind>("balancer", sweep.balancer()))
    return p;
  if (Problem p = CheckEnumLevels<v1::BalancerAlgorithm>("algorithm",
                                                         sweep.algorithm()))
    return p;
  if (Problem p = CheckCountLevels("hosts", sweep.hosts())) return p;
  if (Problem p = CheckCountLevels("vcpus", sweep.vcpus())) return p;
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
  if (Problem p = CheckCountLevels("connections", sweep.connections()))
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
  return std::nullopt;
}

Problem CheckRowFilter(const std::string& path, const v1::RowFilter& filter) {
  // The map's order is unspecified: report the first factor by name.
  std::vector<std::string> names;
  for (const auto& entry : filter.factors()) names.push_back(entry.first);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const std::string at = absl::StrCat(path, ".", name);
    if (!IsFactor(name)) {
      return At(at, "'", name, "' is not a factor; the factors are ",
                absl::StrJoin(FactorNames(), ", "));
    }
    const v1::FactorValues& values = filter.factors().at(name);
    if (values.values().empty()) return At(at, "lists no values");
    for (int i = 0; i < values.values_size(); ++i) {
      if (absl::Status s = CheckFactorLevel(name, values.values(i)); !s.ok()) {
        return At(Index(at, i), s.message());
      }
    }
  }
  return std::nullopt;
}

Problem CheckModel(int index, const v1::ModelSpec& model) {
  const std::string path = Index("models", index);
  analysis::ApplyModelOptions options;
  options.field_name = [&path](absl::string_view field) {
    return absl::StrCat(path, ".", field);
  };
  if (absl::Status s = analysis::ValidateModelSpec(model, options); !s.ok()) {
    // "models[1].degree: message": split the path back off.
    const absl::string_view message = s.message();
    const size_t colon = message.find(": ");
    if (colon == absl::string_view::npos) return At(path, message);
    return At(message.substr(0, colon), message.substr(colon + 2));
  }
  // The columns a model may use: api/result_columns.h.
  if (!api::IsColumn(api::ModelXColumns(), model.x())) {
    return At(path + ".x", "'", model.x(), "' is not one of ",
              absl::StrJoin(api::ModelXColumns(), ", "));
  }
  if (!api::IsColumn(api::ModelYColumns(), model.y())) {
    return At(path + ".y", "'", model.y(), "' is not one of ",
              absl::StrJoin(api::ModelYColumns(), ", "));
  }
  for (int i = 0; i < model.by_size(); ++i) {
    const std::string& by = model.by(i);
    if (!IsFactor(by)) {
      return At(Index(path + ".by", i), "'", by,
                "' is not a factor; the factors are ",
                absl::StrJoin(FactorNames(), ", "));
    }
    if (by == model.x()) {
      return At(Index(path + ".by", i), "'", by,
                "' is x: grouping by it leaves one x value per fit");
    }
  }
  if (Problem p = CheckRowFilter(path + ".train", model.train())) return p;
  return CheckRowFilter(path + ".test", model.test());
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
  if (Problem p = CheckTimeouts(spec.timeouts())) return p;
  return CheckPlacement(spec);
}

absl::Status ValidateSpec(const v1::ExperimentSpec& spec) {
  const Problem problem = FindSpecProblem(spec);
  if (!problem.has_value()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(problem->path, ": ", problem->message));
}

}  // namespace scalebench::spec
