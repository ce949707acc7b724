// When each request is sent, and from when its latency counts.
//
// Closed loop: a connection sends as soon as its previous response is
// complete, and latency counts from the actual send.
//
// Open loop: the k-th request of connection g (of C) is *intended* for
//   start + (k * C + g) / rate,
// so the whole run offers `rate` requests per second, evenly spaced across
// connections. A request goes out at its intended time, or as soon as its
// connection is free if that is later; either way its latency counts from
// the intended time, so a server that stalls shows the full wait in the
// tail instead of quietly lowering the offered load (coordinated omission).
//
// Pure arithmetic on nanosecond timestamps; thread-safe.
#ifndef SCALEBENCH_LOADGEN_PACER_H_
#define SCALEBENCH_LOADGEN_PACER_H_

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace scalebench::loadgen {

struct SendPlan {
  // Latency of the request counts from here.
  int64_t origin_ns;
  // Do not send before this instant.
  int64_t send_at_ns;
};

class Pacer {
 public:
  static Pacer Closed() { return Pacer(0, 1, 0); }

  // `rate` > 0 requests per second over `connections` > 0 in total.
  static Pacer Open(double rate, uint32_t connections, int64_t start_ns) {
    return Pacer(rate, connections, start_ns);
  }

  bool open() const { return interval_ns_ > 0; }

  // Intended send time of the k-th request (from 0) of connection g.
  int64_t IntendedNs(uint32_t g, uint64_t k) const {
    const double slot = static_cast<double>(k) * connections_ + g;
    return start_ns_ + static_cast<int64_t>(std::llround(slot * interval_ns_));
  }

  // The plan for connection g's k-th request, decided at `now_ns`.
  SendPlan Plan(uint32_t g, uint64_t k, int64_t now_ns) const {
    if (!open()) return {now_ns, now_ns};
    const int64_t intended = IntendedNs(g, k);
    return {intended, std::max(intended, now_ns)};
  }

 private:
  Pacer(double rate, uint32_t connections, int64_t start_ns)
      : interval_ns_(rate > 0 ? 1e9 / rate : 0),
        connections_(connections),
        start_ns_(start_ns) {}

  double interval_ns_;  // Between consecutive intended sends, run-wide.
  uint32_t connections_;
  int64_t start_ns_;
};

}  // namespace scalebench::loadgen

#endif  // SCALEBENCH_LOADGEN_PACER_H_
