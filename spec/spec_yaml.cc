#include "spec/spec_yaml.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/flag_values.h"
#include "common/text_file.h"
#include "spec/validate.h"
#include "spec/yaml_reader.h"

namespace scalebench::spec {
namespace {

using Visit = YamlReader::Visit;

// Reads the YAML of one spec into a v1::ExperimentSpec, field by field.
// Each field's visitor runs only when the YAML has the key, so optional
// fields and sub-messages are set only when given.
class SpecReader final {
 public:
  explicit SpecReader(YamlReader& yaml) : yaml_(yaml) {}
  SpecReader(const SpecReader&) = delete;
  SpecReader& operator=(const SpecReader&) = delete;

  absl::Status Read(const YamlValue& root, v1::ExperimentSpec& spec) {
    using S = v1::ExperimentSpec;
    return yaml_.ReadFields(
        root, "a spec",
        {
            {"name", Field(&YamlReader::Text,
                           [&](std::string v) { spec.set_name(v); })},
            {"repetitions",
             [&](const YamlValue& v) {
               return Repetitions(v, *spec.mutable_repetitions());
             }},
            {"order", Field(&YamlReader::Enum<v1::TrialOrder>,
                            [&](v1::TrialOrder v) { spec.set_order(v); })},
            {"seed", Field(&YamlReader::Count64,
                           [&](uint64_t v) { spec.set_seed(v); })},
            {"service",
             Message(&spec, &S::mutable_service, &SpecReader::Service)},
            {"target", Message(&spec, &S::mutable_target, &SpecReader::Target)},
            {"loadgen", Message(&spec, &S::mutable_loadgen, &SpecReader::Load)},
            {"sweep", Message(&spec, &S::mutable_sweep, &SpecReader::Sweep)},
            {"models", Each([&](const YamlValue& v) {
               return Model(v, *spec.add_models());
             })},
            {"retry", Message(&spec, &S::mutable_retry, &SpecReader::Retry)},
            {"timeouts",
             Message(&spec, &S::mutable_timeouts, &SpecReader::Timeouts)},
            {"placement",
             Message(&spec, &S::mutable_placement, &SpecReader::Placement)},
        });
  }

 private:
  // A visitor that reads the value with `read` and hands it to `set`.
  template <typename T, typename Set>
  Visit Field(absl::StatusOr<T> (YamlReader::*read)(const YamlValue&) const,
              Set set) {
    return [this, read, set](const YamlValue& v) -> absl::Status {
      absl::StatusOr<T> value = (yaml_.*read)(v);
      if (!value.ok()) return value.status();
      set(*std::move(value));
      return absl::OkStatus();
    };
  }

  // A visitor for a list (or a single value) whose elements `visit` reads.
  Visit Each(Visit visit) {
    return [this, visit](const YamlValue& v) {
      return yaml_.ForEachElement(v, visit);
    };
  }

  // A visitor that reads a sub-message, created only when the key is given.
  template <typename Parent, typename Child>
  Visit Message(Parent* parent, Child* (Parent::*child)(),
                absl::Status (SpecReader::*read)(const YamlValue&, Child&)) {
    return [this, parent, child, read](const YamlValue& v) {
      return (this->*read)(v, *(parent->*child)());
    };
  }

  // `repetitions: 10` or `repetitions: {until: {...}}`.
  absl::Status Repetitions(const YamlValue& v, v1::RepetitionPolicy& policy) {
    if (v.node.IsSequence()) {
      return yaml_.Error(v,
                         "expected a count or {until: {ci_halfwidth, min, "
                         "max}}, got a list");
    }
    if (!v.node.IsMap()) {
      return Field(&YamlReader::Count,
                   [&](uint32_t n) { policy.set_count(n); })(v);
    }
    return yaml_.ReadFields(
        v, "repetitions",
        {{"until", Message(&policy, &v1::RepetitionPolicy::mutable_adaptive,
                           &SpecReader::Adaptive)}});
  }

  absl::Status Adaptive(const YamlValue& v,
                        v1::RepetitionPolicy::Adaptive& until) {
    return yaml_.ReadFields(
        v, "repetitions.until",
        {
            {"ci_halfwidth",
             Field(&YamlReader::Number,
                   [&](double x) { until.set_ci_halfwidth(x); })},
            {"min",
             Field(&YamlReader::Count, [&](uint32_t n) { until.set_min(n); })},
            {"max",
             Field(&YamlReader::Count, [&](uint32_t n) { until.set_max(n); })},
        });
  }

  absl::Status Service(const YamlValue& v, v1::ServiceSpec& service) {
    return yaml_.ReadFields(
        v, "service",
        {
            {"server", Field(&YamlReader::Text,
                             [&](std::string s) { service.set_server(s); })},
            {"page_bytes",
             Field(&YamlReader::Count,
                   [&](uint32_t n) { service.set_page_bytes(n); })},
            {"worker_processes",
             Field(&YamlReader::Count,
                   [&](uint32_t n) { service.set_worker_processes(n); })},
        });
  }

  absl::Status Target(const YamlValue& v, v1::TargetSpec& target) {
    return yaml_.ReadFields(
        v, "target",
        {
            {"vcpus", Field(&YamlReader::Count,
                            [&](uint32_t n) { target.set_vcpus(n); })},
            {"memory_mb", Field(&YamlReader::Count,
                                [&](uint32_t n) { target.set_memory_mb(n); })},
            {"image", Field(&YamlReader::Text,
                            [&](std::string s) { target.set_image(s); })},
            {"xen_type", Field(&YamlReader::Text,
                               [&](std::string s) { target.set_xen_type(s); })},
            {"hypervisor",
             Field(&YamlReader::Text,
                   [&](std::string s) { target.set_hypervisor(s); })},
        });
  }

  // duration and requests are a oneof: protobuf would silently keep the
  // last one given, so the second one is an error here.
  Visit Length(v1::LoadSpec& load, absl::string_view other, Visit read) {
    return [this, &load, other, read](const YamlValue& v) -> absl::Status {
      if (load.length_case() != v1::LoadSpec::LENGTH_NOT_SET) {
        return yaml_.Error(v, absl::StrCat("give either duration or requests, "
                                           "not both (",
                                           other, " is given too)"));
      }
      return read(v);
    };
  }

  absl::Status Load(const YamlValue& v, v1::LoadSpec& load) {
    using D = google::protobuf::Duration;
    return yaml_.ReadFields(
        v, "loadgen",
        {
            {"mode", Field(&YamlReader::Enum<v1::LoadMode>,
                           [&](v1::LoadMode m) { load.set_mode(m); })},
            {"connections",
             Field(&YamlReader::Count,
                   [&](uint32_t n) { load.set_connections(n); })},
            {"threads", Field(&YamlReader::Count,
                              [&](uint32_t n) { load.set_threads(n); })},
            {"duration",
             Length(load, "requests",
                    Field(&YamlReader::Duration,
                          [&](D d) { *load.mutable_duration() = d; }))},
            {"requests",
             Length(load, "duration",
                    Field(&YamlReader::Count64,
                          [&](uint64_t n) { load.set_requests(n); }))},
            {"rate",
             Field(&YamlReader::Number, [&](double r) { load.set_rate(r); })},
            {"keepalive",
             Field(&YamlReader::Bool, [&](bool b) { load.set_keepalive(b); })},
            {"warmup", Field(&YamlReader::Duration,
                             [&](D d) { *load.mutable_warmup() = d; })},
            {"timeout", Field(&YamlReader::Duration,
                              [&](D d) { *load.mutable_timeout() = d; })},
            {"method", Field(&YamlReader::Text,
                             [&](std::string s) { load.set_method(s); })},
            {"path", Field(&YamlReader::Text,
                           [&](std::string s) { load.set_path(s); })},
            {"headers",
             Each(Field(&YamlReader::Text,
                        [&](std::string s) { load.add_headers(s); }))},
            {"body", Field(&YamlReader::Text,
                           [&](std::string s) { load.set_body(s); })},
            {"cpus", [&](const YamlValue& x) { return Cpus(x, load); }},
            {"max_error_rate",
             Field(&YamlReader::Number,
                   [&](double r) { load.set_max_error_rate(r); })},
            {"start_tolerance",
             Field(&YamlReader::Duration,
                   [&](D d) { *load.mutable_start_tolerance() = d; })},
        });
  }

  // A list of cores, or one text in the command lines' form ("0,2-3").
  absl::Status Cpus(const YamlValue& v, v1::LoadSpec& load) {
    if (v.node.IsScalar()) {
      absl::StatusOr<std::vector<int>> cpus = ParseCpuListText(v.node.Scalar());
      if (!cpus.ok()) return yaml_.Error(v, cpus.status().message());
      for (int cpu : *cpus) load.add_cpus(static_cast<uint32_t>(cpu));
      return absl::OkStatus();
    }
    return Each(
        Field(&YamlReader::Count, [&](uint32_t n) { load.add_cpus(n); }))(v);
  }

  template <typename E>
  Visit EnumLevels(google::protobuf::RepeatedField<int>* levels) {
    return Each(Field(&YamlReader::Enum<E>, [levels](E e) { levels->Add(e); }));
  }

  Visit CountLevels(google::protobuf::RepeatedField<uint32_t>* levels) {
    return Each(
        Field(&YamlReader::Count, [levels](uint32_t n) { levels->Add(n); }));
  }

  absl::Status Sweep(const YamlValue& v, v1::SweepSpec& sweep) {
    return yaml_.ReadFields(
        v, "sweep",
        {
            {"platform", EnumLevels<v1::Platform>(sweep.mutable_platform())},
            {"instances", CountLevels(sweep.mutable_instances())},
            {"balancer",
             EnumLevels<v1::BalancerKind>(sweep.mutable_balancer())},
            {"algorithm",
             EnumLevels<v1::BalancerAlgorithm>(sweep.mutable_algorithm())},
            {"hosts", CountLevels(sweep.mutable_hosts())},
            {"vcpus", CountLevels(sweep.mutable_vcpus())},
            {"keepalive", Each(Field(&YamlReader::Bool,
                                     [&](bool b) { sweep.add_keepalive(b); }))},
            {"health_check_interval",
             Each(Field(&YamlReader::Duration,
                        [&](google::protobuf::Duration d) {
                          *sweep.add_health_check_interval() = d;
                        }))},
            {"connections", CountLevels(sweep.mutable_connections())},
        });
  }

  // `{hosts: 1}` or `{hosts: [2, 3], platform: docker}`: values as text,
  // factor names checked by validation.
  absl::Status Filter(const YamlValue& v, v1::RowFilter& filter) {
    return yaml_.ForEachEntry(
        v, [&](const std::string& factor, const YAML::Mark&,
               const YamlValue& values) {
          v1::FactorValues& out = (*filter.mutable_factors())[factor];
          return Each(Field(&YamlReader::Text,
                            [&](std::string s) { out.add_values(s); }))(values);
        });
  }

  absl::Status Model(const YamlValue& v, v1::ModelSpec& model) {
    return yaml_.ReadFields(
        v, "a model",
        {
            {"fit", Field(&YamlReader::Enum<v1::ModelKind>,
                          [&](v1::ModelKind k) { model.set_fit(k); })},
            {"degree", Field(&YamlReader::Count,
                             [&](uint32_t n) { model.set_degree(n); })},
            {"x",
             Field(&YamlReader::Text, [&](std::string s) { model.set_x(s); })},
            {"y",
             Field(&YamlReader::Text, [&](std::string s) { model.set_y(s); })},
            {"by", Each(Field(&YamlReader::Text,
                              [&](std::string s) { model.add_by(s); }))},
            {"train", Message(&model, &v1::ModelSpec::mutable_train,
                              &SpecReader::Filter)},
            {"test", Message(&model, &v1::ModelSpec::mutable_test,
                             &SpecReader::Filter)},
        });
  }

  absl::Status Retry(const YamlValue& v, v1::RetryPolicy& retry) {
    return yaml_.ReadFields(
        v, "retry",
        {{"max_attempts", Field(&YamlReader::Count, [&](uint32_t n) {
            retry.set_max_attempts(n);
          })}});
  }

  absl::Status Timeouts(const YamlValue& v, v1::PhaseTimeouts& t) {
    using D = google::protobuf::Duration;
    return yaml_.ReadFields(
        v, "timeouts",
        {
            {"prepare", Field(&YamlReader::Duration,
                              [&](D d) { *t.mutable_prepare() = d; })},
            {"balance", Field(&YamlReader::Duration,
                              [&](D d) { *t.mutable_balance() = d; })},
            {"start_lead", Field(&YamlReader::Duration,
                                 [&](D d) { *t.mutable_start_lead() = d; })},
            {"collect", Field(&YamlReader::Duration,
                              [&](D d) { *t.mutable_collect() = d; })},
        });
  }

  absl::Status Placement(const YamlValue& v, v1::PlacementSpec& placement) {
    return yaml_.ReadFields(
        v, "placement",
        {{"balancer",
          Field(&YamlReader::Enum<v1::BalancerPlacement>,
                [&](v1::BalancerPlacement p) { placement.set_balancer(p); })}});
  }

  YamlReader& yaml_;
};

}  // namespace

absl::StatusOr<v1::ExperimentSpec> ParseSpecYaml(absl::string_view yaml,
                                                 absl::string_view source) {
  YamlReader reader(source);
  absl::StatusOr<YamlValue> root = reader.Load(yaml);
  if (!root.ok()) return root.status();
  v1::ExperimentSpec spec;
  SpecReader spec_reader(reader);
  if (absl::Status s = spec_reader.Read(*root, spec); !s.ok()) return s;
  if (const std::optional<SpecProblem> problem = FindSpecProblem(spec)) {
    return reader.ErrorAtPath(problem->path, problem->message);
  }
  return spec;
}

absl::StatusOr<v1::ExperimentSpec> ParseSpecFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadRegularFile(path, kMaxSpecFileBytes);
  if (!text.ok()) return text.status();
  return ParseSpecYaml(*text, path);
}

}  // namespace scalebench::spec
