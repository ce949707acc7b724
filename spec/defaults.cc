#include "spec/defaults.h"

#include "platforms/registry.h"
#include "spec/durations.h"

namespace scalebench::spec {
namespace {

// Sets a duration field of `message` to `value` when it is unset.
template <typename Message>
void DefaultDuration(Message& message, bool (Message::*has)() const,
                     google::protobuf::Duration* (Message::*field)(),
                     absl::Duration value) {
  if (!(message.*has)()) *(message.*field)() = ToProto(value);
}

void DefaultRepetitions(v1::RepetitionPolicy& policy) {
  switch (policy.policy_case()) {
    case v1::RepetitionPolicy::kCount:
      break;
    case v1::RepetitionPolicy::kAdaptive:
      if (!policy.adaptive().has_min()) {
        policy.mutable_adaptive()->set_min(kMinAdaptiveRepetitions);
      }
      break;
    case v1::RepetitionPolicy::POLICY_NOT_SET:
      policy.set_count(kDefaultRepetitions);
      break;
  }
}

void DefaultLoad(v1::LoadSpec& load) {
  if (load.mode() == v1::LOAD_MODE_UNSPECIFIED) load.set_mode(kDefaultLoadMode);
  if (!load.has_connections()) load.set_connections(kDefaultConnections);
  if (!load.has_keepalive()) load.set_keepalive(kDefaultKeepalive);
  DefaultDuration(load, &v1::LoadSpec::has_warmup,
                  &v1::LoadSpec::mutable_warmup, absl::ZeroDuration());
  DefaultDuration(load, &v1::LoadSpec::has_timeout,
                  &v1::LoadSpec::mutable_timeout, kDefaultRequestTimeout);
  if (!load.has_method()) load.set_method(kDefaultMethod);
  if (!load.has_path()) load.set_path(kDefaultPath);
  if (!load.has_max_error_rate()) load.set_max_error_rate(kDefaultMaxErrorRate);
}

void DefaultSweep(const v1::ExperimentSpec& spec, v1::SweepSpec& sweep) {
  if (sweep.platform().empty()) sweep.add_platform(v1::PLATFORM_NATIVE);
  if (sweep.instances().empty()) sweep.add_instances(1);
  if (sweep.balancer().empty()) sweep.add_balancer(v1::BALANCER_KIND_NONE);
  if (sweep.algorithm().empty()) {
    sweep.add_algorithm(v1::BALANCER_ALGORITHM_ROUNDROBIN);
  }
  if (sweep.hosts().empty()) sweep.add_hosts(1);
  if (sweep.vcpus().empty()) sweep.add_vcpus(spec.target().vcpus());
  if (sweep.keepalive().empty())
    sweep.add_keepalive(spec.loadgen().keepalive());
  if (sweep.health_check_interval().empty()) {
    *sweep.add_health_check_interval() = ToProto(absl::ZeroDuration());
  }
  if (sweep.connections().empty()) {
    sweep.add_connections(spec.loadgen().connections());
  }
}

}  // namespace

v1::ExperimentSpec WithDefaults(const v1::ExperimentSpec& spec) {
  v1::ExperimentSpec out = spec;
  if (out.order() == v1::TRIAL_ORDER_UNSPECIFIED) out.set_order(kDefaultOrder);
  if (out.placement().balancer() == v1::BALANCER_PLACEMENT_UNSPECIFIED) {
    out.mutable_placement()->set_balancer(kDefaultBalancerPlacement);
  }
  DefaultRepetitions(*out.mutable_repetitions());

  v1::ServiceSpec& service = *out.mutable_service();
  if (!service.has_server()) service.set_server(kDefaultServer);
  if (!service.has_page_bytes()) service.set_page_bytes(kDefaultPageBytes);

  v1::TargetSpec& target = *out.mutable_target();
  if (!target.has_vcpus()) target.set_vcpus(kDefaultVcpus);

  DefaultLoad(*out.mutable_loadgen());

  v1::RetryPolicy& retry = *out.mutable_retry();
  if (!retry.has_max_attempts()) retry.set_max_attempts(kDefaultMaxAttempts);

  v1::PhaseTimeouts& t = *out.mutable_timeouts();
  using T = v1::PhaseTimeouts;
  DefaultDuration(t, &T::has_prepare, &T::mutable_prepare,
                  kDefaultPrepareTimeout);
  DefaultDuration(t, &T::has_balance, &T::mutable_balance,
                  kDefaultBalanceTimeout);
  DefaultDuration(t, &T::has_start_lead, &T::mutable_start_lead,
                  kDefaultStartLead);
  DefaultDuration(t, &T::has_collect, &T::mutable_collect,
                  kDefaultCollectTimeout);

  // After target and loadgen: the sweep's defaults are theirs.
  DefaultSweep(out, *out.mutable_sweep());
  return out;
}

v1::TargetSpec ResolvedTarget(const v1::ExperimentSpec& spec,
                              const v1::Configuration& config) {
  v1::TargetSpec target = spec.target();
  target.set_vcpus(config.vcpus());
  if (!target.has_memory_mb()) {
    target.set_memory_mb(
        platforms::DefaultMemoryMb(config.platform(), spec.target()));
  }
  return target;
}

v1::LoadSpec ResolvedLoad(const v1::ExperimentSpec& spec,
                          const v1::Configuration& config) {
  v1::LoadSpec load = spec.loadgen();
  DefaultLoad(load);
  load.set_connections(config.connections());
  load.set_keepalive(config.keepalive());
  return load;
}

uint32_t MinRepetitions(const v1::RepetitionPolicy& policy) {
  switch (policy.policy_case()) {
    case v1::RepetitionPolicy::kCount:
      return policy.count();
    case v1::RepetitionPolicy::kAdaptive:
      return policy.adaptive().has_min() ? policy.adaptive().min()
                                         : kMinAdaptiveRepetitions;
    case v1::RepetitionPolicy::POLICY_NOT_SET:
      break;
  }
  return kDefaultRepetitions;
}

uint32_t MaxRepetitions(const v1::RepetitionPolicy& policy) {
  switch (policy.policy_case()) {
    case v1::RepetitionPolicy::kCount:
      return policy.count();
    case v1::RepetitionPolicy::kAdaptive:
      return policy.adaptive().max();
    case v1::RepetitionPolicy::POLICY_NOT_SET:
      break;
  }
  return kDefaultRepetitions;
}

}  // namespace scalebench::spec
