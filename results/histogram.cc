#include "results/histogram.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace scalebench::results {
namespace {

constexpr uint64_t kSubBuckets = uint64_t{1} << Histogram::kSubBucketBits;

}  // namespace

uint64_t Histogram::BucketLowerBound(uint32_t index) {
  if (index < 2 * kSubBuckets) return index;
  const uint64_t shift = index / kSubBuckets - 1;
  return (index % kSubBuckets + kSubBuckets) << shift;
}

uint64_t Histogram::BucketWidth(uint32_t index) {
  if (index < 2 * kSubBuckets) return 1;
  return uint64_t{1} << (index / kSubBuckets - 1);
}

Histogram::Histogram(uint64_t highest_trackable_ns)
    : highest_trackable_ns_(std::max(highest_trackable_ns, 2 * kSubBuckets)),
      counts_(BucketIndex(highest_trackable_ns_) + 1, 0) {}

void Histogram::Merge(const Histogram& other) {
  if (other.counts_.size() > counts_.size()) {
    counts_.resize(other.counts_.size(), 0);
  }
  highest_trackable_ns_ =
      std::max(highest_trackable_ns_, other.highest_trackable_ns_);
  for (size_t i = 0; i < other.counts_.size(); ++i) {
    counts_[i] += other.counts_[i];
  }
  count_ += other.count_;
  overflow_ += other.overflow_;
  sum_ns_ += other.sum_ns_;
  sum_squares_ += other.sum_squares_;
  min_ns_ = std::min(min_ns_, other.min_ns_);
  max_ns_ = std::max(max_ns_, other.max_ns_);
}

double Histogram::MeanNs() const {
  return count_ == 0
             ? 0.0
             : static_cast<double>(sum_ns_) / static_cast<double>(count_);
}

double Histogram::StdDevNs() const {
  if (count_ == 0) return 0.0;
  const double mean = MeanNs();
  const double variance =
      sum_squares_ / static_cast<double>(count_) - mean * mean;
  return variance > 0 ? std::sqrt(variance) : 0.0;
}

uint64_t Histogram::ValueAtQuantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  uint64_t rank =
      static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const uint32_t index = static_cast<uint32_t>(i);
      const uint64_t mid = BucketLowerBound(index) + BucketWidth(index) / 2;
      return std::clamp(mid, min_ns(), max_ns_);
    }
  }
  return max_ns_;  // The rank lies among the overflow samples.
}

v1::LatencyHistogram Histogram::ToProto() const {
  v1::LatencyHistogram proto;
  proto.set_sub_bucket_bits(kSubBucketBits);
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    proto.add_bucket_index(static_cast<uint32_t>(i));
    proto.add_bucket_count(counts_[i]);
  }
  proto.set_overflow_count(overflow_);
  proto.set_highest_trackable_ns(highest_trackable_ns_);
  proto.set_count(count_);
  proto.set_sum_ns(sum_ns_);
  proto.set_sum_squares_ns2(sum_squares_);
  proto.set_min_ns(min_ns());
  proto.set_max_ns(max_ns_);
  return proto;
}

absl::StatusOr<Histogram> Histogram::FromProto(
    const v1::LatencyHistogram& proto) {
  if (proto.sub_bucket_bits() != kSubBucketBits) {
    return absl::InvalidArgumentError(
        absl::StrCat("histogram: sub_bucket_bits is ", proto.sub_bucket_bits(),
                     ", this build reads only ", kSubBucketBits));
  }
  if (proto.bucket_index_size() != proto.bucket_count_size()) {
    return absl::InvalidArgumentError(
        "histogram: bucket_index and bucket_count differ in length");
  }
  Histogram h(proto.highest_trackable_ns());
  uint64_t total = 0;
  int64_t previous = -1;
  for (int k = 0; k < proto.bucket_index_size(); ++k) {
    const uint32_t index = proto.bucket_index(k);
    if (static_cast<int64_t>(index) <= previous || index >= h.counts_.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("histogram: bucket index ", index, " at position ", k,
                       " is out of order or beyond highest_trackable_ns"));
    }
    previous = index;
    h.counts_[index] = proto.bucket_count(k);
    if (__builtin_add_overflow(total, proto.bucket_count(k), &total)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "histogram: the bucket counts add up to more than 2^64 at position ",
          k));
    }
  }
  uint64_t samples = 0;
  if (__builtin_add_overflow(total, proto.overflow_count(), &samples) ||
      samples != proto.count()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "histogram: buckets hold ", total, " and overflow ",
        proto.overflow_count(), " samples, but count is ", proto.count()));
  }
  if (proto.count() > 0 && proto.min_ns() > proto.max_ns()) {
    return absl::InvalidArgumentError(
        absl::StrCat("histogram: min_ns ", proto.min_ns(),
                     " is greater than max_ns ", proto.max_ns()));
  }
  h.count_ = proto.count();
  h.overflow_ = proto.overflow_count();
  h.sum_ns_ = proto.sum_ns();
  h.sum_squares_ = proto.sum_squares_ns2();
  h.min_ns_ = proto.count() == 0 ? UINT64_MAX : proto.min_ns();
  h.max_ns_ = proto.max_ns();
  return h;
}

}  // namespace scalebench::results
