// One host's part of a trial: plan it (cores, ports, each target's and the
// balancer's launch, the load), start the targets and wait until each
// answers, start the balancer and wait, measure with the load generator,
// and tear everything down whatever happened. Used step by step by the
// daemon's executor (as the coordinator's desired states arrive) and in one
// go by `scalebench-worker run-trial`. Thread-compatible.
#ifndef SCALEBENCH_WORKER_AGENT_TRIAL_RUNNER_H_
#define SCALEBENCH_WORKER_AGENT_TRIAL_RUNNER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "loadgen/options.h"
#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/spec.pb.h"
#include "worker/agent/driver_set.h"
#include "worker/cores.h"
#include "worker/host_usage.h"
#include "worker/launch_plan.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

// What this host does in a trial, fully resolved.
struct TrialRequest {
  v1::Configuration configuration;
  v1::ServiceSpec service;
  v1::TargetSpec target;
  v1::LoadSpec load;
  // Time for each target, and for the balancer, to answer HTTP.
  absl::Duration prepare_timeout = absl::Seconds(60);
  absl::Duration balance_timeout = absl::Seconds(15);
  // When the measurement window opens, on this host's clock; unset = as
  // soon as everything is ready.
  std::optional<absl::Time> start_at;
  // Whether this host generates load (cores are kept for it).
  bool loadgen_here = true;
  // The balancer's backends when they are not (only) this host's targets:
  // host:port of every target on every host. Empty = this host's targets.
  std::vector<std::string> balancer_endpoints;
  // Plan the balancer (cores, port) but start it only with StartBalancer,
  // once every host's endpoints are known.
  bool defer_balancer = false;
};

// The plan of a trial on this host; the launches are what the drivers
// receive.
struct TrialPlan {
  CoreMap cores;
  TargetDriver* driver = nullptr;
  std::vector<TargetLaunch> targets;
  Balancer* balancer = nullptr;  // Null without a balancer.
  BalancerLaunch balancer_launch;
  // Prepare leaves the balancer to StartBalancer.
  bool balancer_deferred = false;
  // The files and commands of each target, then the balancer (a deferred
  // one once StartBalancer plans it).
  std::vector<LaunchPlan> launch_plans;
  // Where load goes: the balancer, or this host's targets (host:port).
  std::vector<std::string> endpoints;
  // The load, sent to the balancer or spread over the targets.
  loadgen::LoadOptions load;
  absl::Duration prepare_timeout;
  absl::Duration balance_timeout;
};

// Seconds each phase took.
struct TrialTimings {
  double targets_ready_s = 0;
  double balancer_ready_s = 0;
  double teardown_s = 0;
};

// What a trial on this host produced.
struct TrialOutcome {
  // Set when the trial failed: the kind says whose fault (a target or the
  // balancer did not start, the load generator could not run).
  std::optional<v1::Failure> failure;
  // Present once measurement ran.
  std::optional<v1::LoadgenResult> loadgen;
  v1::HostEnvironment environment;
  // How the host's CPUs were used over the measurement; empty when it did
  // not run or could not be read.
  HostUsage usage;
  bool overcommitted = false;
  TrialTimings timings;
};

class TrialRunner final {
 public:
  // `drivers` outlives the runner. `host_cpus`: the cores scalebench may
  // use. `listen_address`: where targets and the balancer listen.
  TrialRunner(WorkerContext context, DriverSet* drivers,
              std::vector<int> host_cpus,
              std::string listen_address = "127.0.0.1");

  // Plans for a dry run: drivers and balancers not usable on this host
  // still plan (their plans are shown, nothing is started).
  void set_plan_only(bool plan_only) { plan_only_ = plan_only; }

  // Allocates cores and ports and asks the drivers for their launch plans;
  // starts nothing. INVALID_ARGUMENT or FAILED_PRECONDITION (a platform or
  // balancer this host cannot run) saying why.
  absl::StatusOr<TrialPlan> Plan(const TrialRequest& request);

  // Plan without the load: targets, balancer, cores (keeping cores for the
  // load generator when request.loadgen_here). For the daemon, which
  // learns the load only when it is told to measure.
  absl::StatusOr<TrialPlan> PlanHost(const TrialRequest& request);

  // Adds the load of `spec` (with the configuration's factors applied),
  // sent to `endpoints`, or to the plan's own when empty.
  absl::Status PlanLoad(const v1::LoadSpec& spec,
                        const v1::Configuration& configuration,
                        std::optional<absl::Time> start_at,
                        const std::vector<std::string>& endpoints,
                        TrialPlan* plan);

  // Starts every target and waits until each answers, then the balancer
  // (unless deferred).
  // On failure returns the Failure (target_start, balancer_start) after
  // stopping what started.
  std::optional<v1::Failure> Prepare(const TrialPlan& plan,
                                     TrialTimings* timings);

  // Starts a deferred balancer in front of `endpoints` (every host's
  // targets) and waits until it answers. On failure returns the Failure
  // (balancer_start) after tearing this host's part down, as Prepare does.
  std::optional<v1::Failure> StartBalancer(
      TrialPlan* plan, const std::vector<std::string>& endpoints,
      TrialTimings* timings);

  // Runs the load generator. A run that could not start is a Failure
  // (loadgen); a late start is in the result's own failure. When `usage`
  // is given, it receives how busy each of this host's cores (host_cpus)
  // was over the run and how often the worker's CPU quota was used up
  // (host_usage.h); what cannot be read is left out, said on stderr, and
  // never fails the measurement.
  absl::StatusOr<v1::LoadgenResult> Measure(const TrialPlan& plan,
                                            HostUsage* usage = nullptr);

  // For a host that only balances: sends no load, waits until `start` on
  // this host's wall clock and returns how its CPUs were used from then
  // for `length` (timed on the monotonic clock).
  HostUsage Observe(absl::Time start, absl::Duration length);

  // Stops the balancer and every target. Idempotent.
  absl::Status TearDown(const TrialPlan& plan);

  // Plan, prepare, measure, and always tear down: `run-trial`.
  absl::StatusOr<TrialOutcome> RunLocal(const TrialRequest& request);

  // The host environment with this plan's pinning and versions.
  v1::HostEnvironment Environment(const TrialPlan& plan) const;

  // Where Measure and Observe read the CPU counters.
  void TEST_set_usage_sources(UsageSources sources) {
    usage_sources_ = std::move(sources);
  }

 private:
  // Starts the planned balancer and waits until it answers; on failure
  // tears the whole plan down (as Prepare does) and says why.
  std::optional<v1::Failure> StartBalancerNow(const TrialPlan& plan,
                                              TrialTimings* timings);

  WorkerContext context_;
  DriverSet* drivers_;
  std::vector<int> host_cpus_;
  std::string listen_address_;
  bool plan_only_ = false;
  UsageSources usage_sources_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_AGENT_TRIAL_RUNNER_H_
