// ARCHITECTURE.md's "Experiment spec" (the paper's figure 7 sweep), as
// YAML and as the ExperimentSpec it reads as, for the tests of the spec
// parser and of the API's wire format. Test-only.
#ifndef SCALEBENCH_SPEC_ARCHITECTURE_EXAMPLE_H_
#define SCALEBENCH_SPEC_ARCHITECTURE_EXAMPLE_H_

namespace scalebench::spec::testing {

// ARCHITECTURE.md's "Experiment spec", with memory_mb 128: QEMU guests
// (sweep.platform has qemu) need at least that much.
inline constexpr char kArchitectureExample[] = R"(name: paper-figure-7
repetitions: 10              # or: until: {ci_halfwidth: 0.03, max: 30}
order: randomized            # randomized interleaving of configurations per round
service:
  server: nginx
  page_bytes: 612
target:
  vcpus: 1
  memory_mb: 128
loadgen:
  mode: closed               # closed | open (constant rate, latency from intended send time)
  connections: 100
  duration: 30s              # or requests: 10000
  keepalive: true            # false = a new connection per request, as ab does by default
  warmup: 5s
sweep:                       # the grid: every combination is a configuration
  platform: [native, docker, qemu]
  instances: [1, 2, 3, 4, 5, 6, 8]
  balancer: [none, haproxy, nginx]
  algorithm: [roundrobin]
  hosts: [1]
models:
  - {fit: poly, degree: 2, x: instances, y: requests_per_s, by: [platform, balancer]}
  - {fit: usl, x: instances, y: requests_per_s, by: [platform, balancer]}
  - {fit: linear, x: vcpus_total, y: requests_per_s, train: {hosts: 1}, test: {hosts: [2, 3]}}
)";

inline constexpr char kArchitectureExampleProto[] = R"pb(
  name: "paper-figure-7"
  repetitions { count: 10 }
  order: TRIAL_ORDER_RANDOMIZED
  service { server: "nginx" page_bytes: 612 }
  target { vcpus: 1 memory_mb: 128 }
  loadgen {
    mode: LOAD_MODE_CLOSED
    connections: 100
    duration { seconds: 30 }
    keepalive: true
    warmup { seconds: 5 }
  }
  sweep {
    platform: [ PLATFORM_NATIVE, PLATFORM_DOCKER, PLATFORM_QEMU ]
    instances: [ 1, 2, 3, 4, 5, 6, 8 ]
    balancer: [ BALANCER_KIND_NONE, BALANCER_KIND_HAPROXY, BALANCER_KIND_NGINX ]
    algorithm: [ BALANCER_ALGORITHM_ROUNDROBIN ]
    hosts: [ 1 ]
  }
  models {
    fit: MODEL_KIND_POLY
    degree: 2
    x: "instances"
    y: "requests_per_s"
    by: [ "platform", "balancer" ]
  }
  models {
    fit: MODEL_KIND_USL
    x: "instances"
    y: "requests_per_s"
    by: [ "platform", "balancer" ]
  }
  models {
    fit: MODEL_KIND_LINEAR
    x: "vcpus_total"
    y: "requests_per_s"
    train {
      factors {
        key: "hosts"
        value { values: "1" }
      }
    }
    test {
      factors {
        key: "hosts"
        value { values: [ "2", "3" ] }
      }
    }
  }
)pb";

}  // namespace scalebench::spec::testing

#endif  // SCALEBENCH_SPEC_ARCHITECTURE_EXAMPLE_H_
