#include "worker/agent/trial_runner.h"

#include <iostream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "api/enum_names.h"
#include "common/free_ports.h"
#include "common/proto_time.h"
#include "loadgen/runner.h"
#include "loadgen/spec_options.h"
#include "platforms/driver_factory.h"
#include "platforms/registry.h"
#include "spec/defaults.h"
#include "worker/host_facts.h"

namespace scalebench::worker {
namespace {

// Cores for the balancer and, unless LoadSpec.threads says, the load
// generator.
constexpr int kBalancerCores = 1;
constexpr int kDefaultLoadgenCores = 1;

v1::Failure MakeFailure(v1::FailureKind kind, absl::string_view reason) {
  v1::Failure failure;
  failure.set_kind(kind);
  failure.set_reason(std::string(reason));
  return failure;
}

double SecondsSince(Clock& clock, absl::Duration start) {
  return absl::ToDoubleSeconds(clock.Monotonic() - start);
}

// Says on stderr what could not be measured.
void LogProblems(const HostUsage& usage) {
  for (const std::string& problem : usage.problems) {
    std::cerr << "scalebench-worker: " << problem << "\n";
  }
}

}  // namespace

TrialRunner::TrialRunner(WorkerContext context, DriverSet* drivers,
                         std::vector<int> host_cpus, std::string listen_address)
    : context_(std::move(context)),
      drivers_(drivers),
      host_cpus_(std::move(host_cpus)),
      listen_address_(std::move(listen_address)) {}

absl::StatusOr<TrialPlan> TrialRunner::Plan(const TrialRequest& request) {
  absl::StatusOr<TrialPlan> plan = PlanHost(request);
  if (!plan.ok()) return plan.status();
  if (absl::Status s = PlanLoad(request.load, request.configuration,
                                request.start_at, {}, &*plan);
      !s.ok()) {
    return s;
  }
  return plan;
}

absl::StatusOr<TrialPlan> TrialRunner::PlanHost(const TrialRequest& request) {
  const v1::Configuration& config = request.configuration;
  TrialPlan plan;
  plan.prepare_timeout = request.prepare_timeout;
  plan.balance_timeout = request.balance_timeout;
  // A host with no targets (a load generator only) needs no driver.
  if (config.instances() > 0) {
    absl::StatusOr<TargetDriver*> driver =
        drivers_->ForPlatform(config.platform(), request.target, !plan_only_);
    if (!driver.ok()) return driver.status();
    plan.driver = *driver;
  }
  const bool balanced = config.balancer() != v1::BALANCER_KIND_NONE &&
                        config.balancer() != v1::BALANCER_KIND_UNSPECIFIED;
  if (balanced) {
    absl::StatusOr<Balancer*> balancer =
        drivers_->ForBalancer(config.balancer());
    if (!balancer.ok()) return balancer.status();
    plan.balancer = *balancer;
  }

  CoreRequest cores;
  cores.targets = static_cast<int>(config.instances());
  cores.vcpus_per_target =
      static_cast<int>(std::max<uint32_t>(1, config.vcpus()));
  cores.balancer_cores = balanced ? kBalancerCores : 0;
  cores.loadgen_cores = !request.loadgen_here ? 0
                        : request.load.threads() > 0
                            ? static_cast<int>(request.load.threads())
                            : kDefaultLoadgenCores;
  absl::StatusOr<CoreMap> map = AllocateCores(host_cpus_, cores);
  if (!map.ok()) return map.status();
  plan.cores = *std::move(map);

  absl::StatusOr<std::vector<uint16_t>> ports =
      FreePorts(listen_address_, cores.targets + (balanced ? 1 : 0));
  if (!ports.ok()) return ports.status();

  // What the requested platform and its driver's platform know of a
  // launch (both are known once a driver was found).
  const platforms::PlatformDescription* description =
      platforms::FindPlatform(config.platform());
  const platforms::DriverFactory* launch_shape =
      plan.driver == nullptr
          ? nullptr
          : platforms::FindDriverFactory(plan.driver->platform());
  if (cores.targets > 0 &&
      (description == nullptr || launch_shape == nullptr)) {
    return absl::InvalidArgumentError(
        absl::StrCat("platform ", api::EnumName(config.platform()),
                     " is not one this worker knows"));
  }
  std::vector<std::string> endpoints;
  for (int i = 0; i < cores.targets; ++i) {
    TargetLaunch launch;
    launch.id = absl::StrCat(context_.owner, "-t", i);
    launch.index = i;
    launch.cpus = plan.cores.targets[i];
    launch.vcpus = static_cast<uint32_t>(cores.vcpus_per_target);
    launch.memory_mb =
        request.target.has_memory_mb()
            ? request.target.memory_mb()
            : platforms::DefaultMemoryMb(config.platform(), request.target);
    launch.listen_address = listen_address_;
    launch.port = (*ports)[i];
    launch.page_bytes = request.service.has_page_bytes()
                            ? request.service.page_bytes()
                            : spec::kDefaultPageBytes;
    launch.worker_processes = request.service.worker_processes();
    // The image and what the driver's platform makes of it (a variant, a
    // guest's own address).
    launch_shape->ShapeLaunch(request.target,
                              request.target.image().empty()
                                  ? description->DefaultImage()
                                  : request.target.image(),
                              &launch);
    absl::StatusOr<LaunchPlan> launch_plan = plan.driver->Plan(launch);
    if (!launch_plan.ok()) return launch_plan.status();
    plan.launch_plans.push_back(*std::move(launch_plan));
    endpoints.push_back(absl::StrCat(launch.listen_address, ":", launch.port));
    plan.targets.push_back(std::move(launch));
  }
  if (balanced) {
    plan.balancer_deferred = request.defer_balancer;
    BalancerLaunch& b = plan.balancer_launch;
    b.id = absl::StrCat(context_.owner, "-balancer");
    b.algorithm = config.algorithm() == v1::BALANCER_ALGORITHM_UNSPECIFIED
                      ? v1::BALANCER_ALGORITHM_ROUNDROBIN
                      : config.algorithm();
    b.endpoints = request.balancer_endpoints.empty()
                      ? endpoints
                      : request.balancer_endpoints;
    b.health_check_interval = DurationFromProto(config.health_check_interval());
    b.cpus = plan.cores.balancer;
    b.listen_address = listen_address_;
    b.port = ports->back();
    // A deferred balancer is planned once its backends are known.
    if (!plan.balancer_deferred) {
      absl::StatusOr<LaunchPlan> launch_plan = plan.balancer->Plan(b);
      if (!launch_plan.ok()) return launch_plan.status();
      plan.launch_plans.push_back(*std::move(launch_plan));
    }
    endpoints = {absl::StrCat(listen_address_, ":", b.port)};
  }

  plan.endpoints = std::move(endpoints);
  return plan;
}

absl::Status TrialRunner::PlanLoad(const v1::LoadSpec& spec,
                                   const v1::Configuration& configuration,
                                   std::optional<absl::Time> start_at,
                                   const std::vector<std::string>& endpoints,
                                   TrialPlan* plan) {
  v1::LoadSpec load = spec;
  load.set_keepalive(configuration.keepalive());
  if (configuration.connections() > 0) {
    load.set_connections(configuration.connections());
  }
  absl::StatusOr<loadgen::LoadOptions> options = loadgen::LoadOptionsFromSpec(
      load, endpoints.empty() ? plan->endpoints : endpoints,
      plan->cores.loadgen);
  if (!options.ok()) return options.status();
  plan->load = *std::move(options);
  plan->load.start_at = start_at;
  return absl::OkStatus();
}

std::optional<v1::Failure> TrialRunner::Prepare(const TrialPlan& plan,
                                                TrialTimings* timings) {
  Clock& clock = *context_.clock;
  const absl::Duration start = clock.Monotonic();
  std::vector<Target> started;
  for (const TargetLaunch& launch : plan.targets) {
    absl::StatusOr<Target> target = plan.driver->Start(launch);
    if (!target.ok()) {
      (void)TearDown(plan);
      return MakeFailure(v1::FAILURE_KIND_TARGET_START,
                         absl::StrCat("target ", launch.index, ": ",
                                      target.status().message()));
    }
    started.push_back(*std::move(target));
  }
  for (const Target& target : started) {
    const absl::Duration left =
        plan.prepare_timeout - (clock.Monotonic() - start);
    if (absl::Status s = plan.driver->WaitReady(target, left); !s.ok()) {
      (void)TearDown(plan);
      return MakeFailure(v1::FAILURE_KIND_TARGET_START,
                         absl::StrCat("target ", target.id, ": ", s.message()));
    }
  }
  timings->targets_ready_s = SecondsSince(clock, start);
  if (plan.balancer == nullptr || plan.balancer_deferred) return std::nullopt;
  return StartBalancerNow(plan, timings);
}

std::optional<v1::Failure> TrialRunner::StartBalancer(
    TrialPlan* plan, const std::vector<std::string>& endpoints,
    TrialTimings* timings) {
  if (plan->balancer == nullptr) {
    return MakeFailure(v1::FAILURE_KIND_INVALID_ASSIGNMENT,
                       "no balancer was planned on this host");
  }
  plan->balancer_launch.endpoints = endpoints;
  absl::StatusOr<LaunchPlan> launch_plan =
      plan->balancer->Plan(plan->balancer_launch);
  if (!launch_plan.ok()) {
    return MakeFailure(v1::FAILURE_KIND_INVALID_ASSIGNMENT,
                       launch_plan.status().message());
  }
  plan->launch_plans.push_back(*std::move(launch_plan));
  plan->balancer_deferred = false;
  return StartBalancerNow(*plan, timings);
}

std::optional<v1::Failure> TrialRunner::StartBalancerNow(
    const TrialPlan& plan, TrialTimings* timings) {
  Clock& clock = *context_.clock;
  const absl::Duration balancer_start = clock.Monotonic();
  absl::StatusOr<Target> balancer = plan.balancer->Start(plan.balancer_launch);
  absl::Status ready = balancer.status();
  if (ready.ok())
    ready = plan.balancer->WaitReady(*balancer, plan.balance_timeout);
  if (!ready.ok()) {
    (void)TearDown(plan);
    return MakeFailure(v1::FAILURE_KIND_BALANCER_START,
                       absl::StrCat(api::EnumName(plan.balancer->kind()), ": ",
                                    ready.message()));
  }
  timings->balancer_ready_s = SecondsSince(clock, balancer_start);
  return std::nullopt;
}

absl::StatusOr<v1::LoadgenResult> TrialRunner::Measure(const TrialPlan& plan,
                                                       HostUsage* usage) {
  if (usage == nullptr) {
    return loadgen::RunLoad(plan.load, nullptr, context_.clock);
  }
  const HostUsageMeter meter(usage_sources_, host_cpus_);
  absl::StatusOr<v1::LoadgenResult> result =
      loadgen::RunLoad(plan.load, nullptr, context_.clock);
  *usage = meter.End();
  LogProblems(*usage);
  return result;
}

HostUsage TrialRunner::Observe(absl::Time start, absl::Duration length) {
  Clock& clock = *context_.clock;
  const absl::Duration begin = clock.Monotonic() + (start - clock.Wall());
  clock.SleepUntil(begin);
  const HostUsageMeter meter(usage_sources_, host_cpus_);
  clock.SleepUntil(begin + length);
  HostUsage usage = meter.End();
  LogProblems(usage);
  return usage;
}

absl::Status TrialRunner::TearDown(const TrialPlan& plan) {
  absl::Status first;
  if (plan.balancer != nullptr) {
    first.Update(plan.balancer->Stop(plan.balancer_launch.id));
  }
  for (const TargetLaunch& launch : plan.targets) {
    first.Update(plan.driver->Stop(launch.id));
  }
  return first;
}

v1::HostEnvironment TrialRunner::Environment(const TrialPlan& plan) const {
  v1::HostEnvironment env = ReadHostEnvironment();
  for (const auto& [program, version] : drivers_->versions()) {
    (*env.mutable_versions())[program] = version;
  }
  for (const auto& [role, cores] : plan.cores.Pinning()) {
    (*env.mutable_pinning())[role] = cores;
  }
  return env;
}

absl::StatusOr<TrialOutcome> TrialRunner::RunLocal(
    const TrialRequest& request) {
  absl::StatusOr<TrialPlan> plan = Plan(request);
  if (!plan.ok()) return plan.status();
  TrialOutcome outcome;
  outcome.overcommitted = plan->cores.overcommitted;
  outcome.environment = Environment(*plan);
  outcome.failure = Prepare(*plan, &outcome.timings);
  if (!outcome.failure.has_value()) {
    absl::StatusOr<v1::LoadgenResult> result = Measure(*plan, &outcome.usage);
    if (result.ok()) {
      outcome.loadgen = *std::move(result);
      if (outcome.loadgen->has_failure()) {
        outcome.failure = outcome.loadgen->failure();
      }
    } else {
      outcome.failure =
          MakeFailure(v1::FAILURE_KIND_LOADGEN, result.status().message());
    }
  }
  Clock& clock = *context_.clock;
  const absl::Duration teardown_start = clock.Monotonic();
  absl::Status torn = TearDown(*plan);
  outcome.timings.teardown_s = SecondsSince(clock, teardown_start);
  if (!torn.ok()) {
    return absl::InternalError(absl::StrCat(
        "teardown failed, something may still run: ", torn.message()));
  }
  return outcome;
}

}  // namespace scalebench::worker
