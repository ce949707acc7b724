// The size limits of an experiment spec, in one place (docs/limits.md
// lists them with where each is enforced). ValidateSpec (validate.h)
// refuses a spec beyond any of them with INVALID_ARGUMENT naming the
// field, so nothing that validates can fail later for its size: each
// bound is at most what the coordinator, the worker's drivers and the load
// generator accept. Constants only; thread-safe.
#ifndef SCALEBENCH_SPEC_LIMITS_H_
#define SCALEBENCH_SPEC_LIMITS_H_

#include <cstddef>
#include <cstdint>

#include "absl/time/time.h"

namespace scalebench::spec {

// --- The grid -----------------------------------------------------------

// Configurations (grid points) of one experiment.
inline constexpr uint64_t kMaxConfigurations = 10'000;
// Trials of one experiment: configurations x repetitions (the adaptive
// policy's until.max), the most it can ever grow to.
inline constexpr uint64_t kMaxTrials = 10'000;
// Levels of one sweep factor (and values of one filter factor of a model).
inline constexpr int kMaxLevelsPerFactor = 10'000;
// Repetitions per configuration: a fixed count, or until.max.
inline constexpr uint32_t kMaxRepetitions = 1'000;

// --- Each target and host -----------------------------------------------

// Targets of one configuration (sweep.instances), spread over its hosts.
inline constexpr uint32_t kMaxInstances = 1'024;
// Target hosts of one configuration (sweep.hosts).
inline constexpr uint32_t kMaxHosts = 1'024;
// vCPUs per target (target.vcpus, sweep.vcpus): Xen's guest limit. A
// platform may allow fewer, and a guest needs some least memory: each
// platform's own bounds are in its description (platforms/NAME/; QEMU's 64
// vCPUs and 128 MiB, Xen's 8 MiB), for the targets its driver runs.
inline constexpr uint32_t kMaxVcpus = 128;
// Memory per target in MiB (target.memory_mb).
inline constexpr uint32_t kMaxMemoryMb = 1u << 20;
// The static page's size (service.page_bytes).
inline constexpr uint32_t kMaxPageBytes = 64u << 20;
// Server worker processes per target (service.worker_processes).
inline constexpr uint32_t kMaxWorkerProcesses = 1'024;
// The highest core number (loadgen.cpus).
inline constexpr uint32_t kMaxCpu = 4'095;

// --- The load -----------------------------------------------------------

// Connections per load-generator host (loadgen.connections,
// sweep.connections), and event-loop threads (loadgen.threads).
inline constexpr uint32_t kMaxConnections = 1'000'000;
inline constexpr uint32_t kMaxThreads = 1'024;
// Open-loop rate per load-generator host, requests per second: finite and
// within [kMinRate, kMaxRate]. At kMinRate each of kMaxConnections
// connections still sends within a year (the load generator's bound).
inline constexpr double kMinRate = 0.1;
inline constexpr double kMaxRate = 1e9;
// Requests per load-generator host (loadgen.requests).
inline constexpr uint64_t kMaxRequests = 1'000'000'000'000;
// The measurement window (loadgen.duration) and the warm-up before it.
inline constexpr absl::Duration kMaxWindow = absl::Hours(24);
// How late a load generator may start after T0 (loadgen.start_tolerance).
inline constexpr absl::Duration kMaxStartTolerance = absl::Seconds(1);
// Attempts per trial (retry.max_attempts).
inline constexpr uint32_t kMaxAttempts = 10;

// --- Text and lists -----------------------------------------------------

inline constexpr size_t kMaxNameLength = 64;
inline constexpr size_t kMaxImageLength = 1'024;
inline constexpr size_t kMaxMethodLength = 20;
inline constexpr size_t kMaxPathLength = 2'048;
// One "Name: value" header, and how many.
inline constexpr size_t kMaxHeaderLength = 4'096;
inline constexpr int kMaxHeaders = 64;
// The request body (loadgen.body).
inline constexpr size_t kMaxBodyBytes = 64 << 10;
// Models of one spec.
inline constexpr int kMaxModels = 32;
// The whole spec as protobuf (its serialized size). Every event and
// listing carries the spec, so it stays far below gRPC's 4 MiB messages.
inline constexpr size_t kMaxSpecBytes = 256 << 10;
// A spec file (ParseSpecFile), and the spec's source text a client sends
// with it (CreateExperimentRequest.spec_source).
inline constexpr size_t kMaxSpecFileBytes = 1 << 20;

}  // namespace scalebench::spec

#endif  // SCALEBENCH_SPEC_LIMITS_H_
