// A log-linear latency histogram with bounded memory, a documented accuracy
// bound, and exact merging; the in-memory form of v1.LatencyHistogram (see
// results.proto for the bucket scheme). Recording is a few instructions and
// never allocates. Not thread-safe: each load-generator thread records into
// its own histogram and the results are merged at the end.
#ifndef SCALEBENCH_RESULTS_HISTOGRAM_H_
#define SCALEBENCH_RESULTS_HISTOGRAM_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::results {

class Histogram {
 public:
  // Sub-bucket bits: percentiles within 2^-(7+1) = 0.39% of the truth.
  static constexpr uint32_t kSubBucketBits = 7;
  // One hour, in nanoseconds.
  static constexpr uint64_t kDefaultHighestTrackableNs = 3'600'000'000'000;

  // `highest_trackable_ns` (>= 2^(kSubBucketBits+1)) bounds the buckets;
  // larger samples are counted as overflow, never clamped.
  explicit Histogram(
      uint64_t highest_trackable_ns = kDefaultHighestTrackableNs);

  // Bucket index of `value_ns` under the scheme of results.proto.
  static uint32_t BucketIndex(uint64_t value_ns) {
    constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;
    if (value_ns < 2 * kSubBuckets) return static_cast<uint32_t>(value_ns);
    const int m = 63 - __builtin_clzll(value_ns);
    const int shift = m - static_cast<int>(kSubBucketBits);
    return static_cast<uint32_t>((shift + 1) * kSubBuckets +
                                 (value_ns >> shift) - kSubBuckets);
  }
  // The smallest value in bucket `index`, and the bucket's width.
  static uint64_t BucketLowerBound(uint32_t index);
  static uint64_t BucketWidth(uint32_t index);

  void Record(uint64_t value_ns) {
    ++count_;
    sum_ns_ += value_ns;
    const double v = static_cast<double>(value_ns);
    sum_squares_ += v * v;
    if (value_ns < min_ns_) min_ns_ = value_ns;
    if (value_ns > max_ns_) max_ns_ = value_ns;
    if (value_ns > highest_trackable_ns_) {
      ++overflow_;
      return;
    }
    ++counts_[BucketIndex(value_ns)];
  }

  // Adds every sample of `other` (bucket-wise sum): percentiles of the
  // result are exactly those of recording both sample sets into one.
  void Merge(const Histogram& other);

  uint64_t count() const { return count_; }
  uint64_t overflow_count() const { return overflow_; }
  uint64_t min_ns() const { return count_ == 0 ? 0 : min_ns_; }
  uint64_t max_ns() const { return max_ns_; }
  uint64_t highest_trackable_ns() const { return highest_trackable_ns_; }
  // Exact mean, and the population standard deviation; 0 when empty.
  double MeanNs() const;
  double StdDevNs() const;

  // The value at quantile `q` in [0, 1]: the midpoint of the bucket holding
  // the sample of rank ceil(q * count), kept within [min, max]. Within
  // 2^-(kSubBucketBits+1) of that sample. A rank that falls among overflow
  // samples returns max_ns(). 0 when empty.
  uint64_t ValueAtQuantile(double q) const;

  v1::LatencyHistogram ToProto() const;
  // Errors: INVALID_ARGUMENT when the message is inconsistent (unsorted or
  // out-of-range indexes, unequal list lengths, counts that do not add up
  // or whose sum overflows 64 bits, min_ns above max_ns, another
  // sub_bucket_bits).
  static absl::StatusOr<Histogram> FromProto(const v1::LatencyHistogram& proto);

 private:
  uint64_t highest_trackable_ns_;
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t overflow_ = 0;
  uint64_t sum_ns_ = 0;
  double sum_squares_ = 0;
  uint64_t min_ns_ = UINT64_MAX;
  uint64_t max_ns_ = 0;
};

}  // namespace scalebench::results

#endif  // SCALEBENCH_RESULTS_HISTOGRAM_H_
