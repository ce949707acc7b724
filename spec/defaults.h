// The defaults of an experiment spec, in one place: what every optional or
// empty field of v1::ExperimentSpec means when it is not given
// (spec.proto's comments, docs/spec.md). Nothing else re-implements them:
// the coordinator, the worker and the CLI read a spec through WithDefaults
// and the Resolved* functions. Stateless; thread-safe.
#ifndef SCALEBENCH_SPEC_DEFAULTS_H_
#define SCALEBENCH_SPEC_DEFAULTS_H_

#include <cstdint>

#include "absl/time/time.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::spec {

inline constexpr v1::TrialOrder kDefaultOrder = v1::TRIAL_ORDER_RANDOMIZED;
inline constexpr v1::BalancerPlacement kDefaultBalancerPlacement =
    v1::BALANCER_PLACEMENT_TARGET_HOST;
inline constexpr uint32_t kDefaultRepetitions = 1;
// The fewest repetitions for which a distribution-free 95% interval of the
// median exists; the floor and default of `until.min`.
inline constexpr uint32_t kMinAdaptiveRepetitions = 6;
inline constexpr char kDefaultServer[] = "nginx";
// nginx's default index page, as in the original study.
inline constexpr uint32_t kDefaultPageBytes = 612;
inline constexpr uint32_t kDefaultVcpus = 1;
inline constexpr v1::LoadMode kDefaultLoadMode = v1::LOAD_MODE_CLOSED;
inline constexpr uint32_t kDefaultConnections = 100;
inline constexpr bool kDefaultKeepalive = true;
inline constexpr absl::Duration kDefaultRequestTimeout = absl::Seconds(10);
// loadgen.max_error_rate: 1% of a window's requests may fail.
inline constexpr double kDefaultMaxErrorRate = 0.01;
inline constexpr char kDefaultMethod[] = "GET";
inline constexpr char kDefaultPath[] = "/";
inline constexpr uint32_t kDefaultMaxAttempts = 3;
inline constexpr absl::Duration kDefaultPrepareTimeout = absl::Seconds(60);
inline constexpr absl::Duration kDefaultBalanceTimeout = absl::Seconds(15);
inline constexpr absl::Duration kDefaultStartLead = absl::Seconds(2);
inline constexpr absl::Duration kDefaultCollectTimeout = absl::Seconds(30);

// `spec` with every default written out, so a reader needs no fallback:
//  - order randomized; repetitions a count of 1 when neither form is
//    given, an adaptive policy's min 6 when unset;
//  - service.server "nginx", service.page_bytes 612;
//  - target.vcpus 1 (target.memory_mb stays as given: its default depends
//    on the platform, see ResolvedTarget);
//  - loadgen mode closed, connections 100, keepalive true, warmup 0 s,
//    timeout 10 s, method "GET", path "/";
//  - retry.max_attempts 3; timeouts prepare 60 s, balance 15 s,
//    start_lead 2 s, collect 30 s;
//  - every empty sweep list its single default level: platform [native],
//    instances [1], balancer [none], algorithm [roundrobin], hosts [1],
//    vcpus [target.vcpus], keepalive [loadgen.keepalive],
//    health_check_interval [0s] (off), connections [loadgen.connections].
// Fields without a default (name, seed, image, hypervisor, models, the
// load's length, rate, threads, cpus, ...) are copied unchanged. A given
// field is never changed. Idempotent. Does not validate.
v1::ExperimentSpec WithDefaults(const v1::ExperimentSpec& spec);

// The target one configuration starts on each target host: `spec.target`
// with vcpus from the configuration and memory_mb resolved: given, else
// the platform's default (platforms/registry.h DefaultMemoryMb: 256 MiB for
// qemu and xen, 64 MiB for native and docker, and for a unikernel 64 MiB
// or its hypervisor's least, 128 MiB on qemu).
v1::TargetSpec ResolvedTarget(const v1::ExperimentSpec& spec,
                              const v1::Configuration& config);

// The load every load-generator host offers in one configuration:
// `spec.loadgen` with defaults (as WithDefaults) and connections and
// keepalive from the configuration.
v1::LoadSpec ResolvedLoad(const v1::ExperimentSpec& spec,
                          const v1::Configuration& config);

// Bounds on repetitions per configuration: a fixed count gives it as both;
// an adaptive policy its min (default 6) and max; neither form a count of 1.
uint32_t MinRepetitions(const v1::RepetitionPolicy& policy);
uint32_t MaxRepetitions(const v1::RepetitionPolicy& policy);

}  // namespace scalebench::spec

#endif  // SCALEBENCH_SPEC_DEFAULTS_H_
