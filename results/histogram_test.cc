#include "results/histogram.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::results {
namespace {

using ::testing::HasSubstr;

constexpr double kBound = 1.0 / (1 << (Histogram::kSubBucketBits + 1));

// Every value lies in the bucket its index names, and buckets tile the
// number line without gaps.
TEST(HistogramTest, BucketsTileTheLineAndHoldTheirValues) {
  for (uint32_t i = 0; i < 6000; ++i) {
    EXPECT_EQ(Histogram::BucketLowerBound(i) + Histogram::BucketWidth(i),
              Histogram::BucketLowerBound(i + 1))
        << "index " << i;
  }
  std::mt19937_64 rng(1);
  for (int k = 0; k < 100000; ++k) {
    const uint64_t v = rng() >> (rng() % 64);
    const uint32_t i = Histogram::BucketIndex(v);
    EXPECT_LE(Histogram::BucketLowerBound(i), v);
    EXPECT_LT(v - Histogram::BucketLowerBound(i), Histogram::BucketWidth(i));
  }
}

TEST(HistogramTest, BucketWidthIsWithinTheDocumentedBound) {
  for (uint32_t i = 256; i < 6000; ++i) {
    const double relative = static_cast<double>(Histogram::BucketWidth(i)) /
                            static_cast<double>(Histogram::BucketLowerBound(i));
    EXPECT_LE(relative, 2 * kBound) << "index " << i;
  }
}

// Quantiles of a log-normal latency sample agree with the exact order
// statistic within the accuracy bound.
TEST(HistogramTest, QuantilesWithinAccuracyBoundOfExactOrderStatistics) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency(std::log(200'000.0), 1.2);
  Histogram h;
  std::vector<uint64_t> samples;
  for (int k = 0; k < 200000; ++k) {
    const uint64_t v = static_cast<uint64_t>(latency(rng));
    samples.push_back(v);
    h.Record(v);
  }
  std::sort(samples.begin(), samples.end());
  for (double q : {0.0, 0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0}) {
    size_t rank = static_cast<size_t>(std::ceil(q * samples.size()));
    rank = std::max<size_t>(rank, 1);
    const double exact = static_cast<double>(samples[rank - 1]);
    const double got = static_cast<double>(h.ValueAtQuantile(q));
    EXPECT_LE(std::abs(got - exact), exact * kBound + 0.5) << "q=" << q;
  }
  EXPECT_EQ(h.min_ns(), samples.front());
  EXPECT_EQ(h.max_ns(), samples.back());
}

TEST(HistogramTest, MeanAndStdDevAreExact) {
  Histogram h;
  for (uint64_t v : {1000u, 2000u, 3000u, 4000u}) h.Record(v);
  EXPECT_DOUBLE_EQ(h.MeanNs(), 2500.0);
  EXPECT_NEAR(h.StdDevNs(), std::sqrt(1250000.0), 1e-6);
}

TEST(HistogramTest, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(7);
  std::exponential_distribution<double> exp(1.0 / 300'000);
  Histogram a, b, all;
  for (int k = 0; k < 50000; ++k) {
    const uint64_t v = static_cast<uint64_t>(exp(rng));
    (k % 3 == 0 ? a : b).Record(v);
    all.Record(v);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min_ns(), all.min_ns());
  EXPECT_EQ(a.max_ns(), all.max_ns());
  EXPECT_DOUBLE_EQ(a.MeanNs(), all.MeanNs());
  for (double q = 0; q <= 1.0; q += 0.001) {
    ASSERT_EQ(a.ValueAtQuantile(q), all.ValueAtQuantile(q)) << "q=" << q;
  }
  // The serialized forms agree bucket for bucket (sum of squares may differ
  // in the last bits of a double, so compare the buckets).
  const v1::LatencyHistogram pa = a.ToProto(), pall = all.ToProto();
  EXPECT_EQ(
      std::vector<uint32_t>(pa.bucket_index().begin(), pa.bucket_index().end()),
      std::vector<uint32_t>(pall.bucket_index().begin(),
                            pall.bucket_index().end()));
  EXPECT_EQ(
      std::vector<uint64_t>(pa.bucket_count().begin(), pa.bucket_count().end()),
      std::vector<uint64_t>(pall.bucket_count().begin(),
                            pall.bucket_count().end()));
}

TEST(HistogramTest, SamplesAboveRangeAreCountedNotClamped) {
  Histogram h(/*highest_trackable_ns=*/1'000'000);
  h.Record(500);
  h.Record(5'000'000);
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.overflow_count(), 1u);
  EXPECT_EQ(h.max_ns(), 5'000'000u);
  EXPECT_EQ(h.ValueAtQuantile(1.0), 5'000'000u);
  // 500 lies in the bucket [500, 502), reported by its midpoint.
  EXPECT_EQ(h.ValueAtQuantile(0.5), 501u);
}

TEST(HistogramTest, EmptyHistogramReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.ValueAtQuantile(0.99), 0u);
  EXPECT_EQ(h.min_ns(), 0u);
  EXPECT_EQ(h.MeanNs(), 0.0);
  EXPECT_EQ(h.StdDevNs(), 0.0);
}

TEST(HistogramTest, ProtoRoundTripPreservesEverything) {
  Histogram h(10'000'000);
  for (uint64_t v = 1; v < 20'000'000; v = v * 3 + 1) h.Record(v);
  auto back = Histogram::FromProto(h.ToProto());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->count(), h.count());
  EXPECT_EQ(back->overflow_count(), h.overflow_count());
  EXPECT_EQ(back->min_ns(), h.min_ns());
  EXPECT_EQ(back->max_ns(), h.max_ns());
  for (double q : {0.1, 0.5, 0.9, 1.0}) {
    EXPECT_EQ(back->ValueAtQuantile(q), h.ValueAtQuantile(q));
  }
}

TEST(HistogramTest, FromProtoRejectsInconsistentMessages) {
  Histogram h;
  h.Record(100);
  h.Record(1000);
  v1::LatencyHistogram good = h.ToProto();

  v1::LatencyHistogram wrong_bits = good;
  wrong_bits.set_sub_bucket_bits(5);
  EXPECT_FALSE(Histogram::FromProto(wrong_bits).ok());

  v1::LatencyHistogram unsorted = good;
  unsorted.set_bucket_index(0, 2000);
  EXPECT_FALSE(Histogram::FromProto(unsorted).ok());

  v1::LatencyHistogram short_counts = good;
  short_counts.mutable_bucket_count()->RemoveLast();
  EXPECT_FALSE(Histogram::FromProto(short_counts).ok());

  v1::LatencyHistogram bad_total = good;
  bad_total.set_count(3);
  EXPECT_FALSE(Histogram::FromProto(bad_total).ok());

  v1::LatencyHistogram beyond = good;
  beyond.set_highest_trackable_ns(300);
  EXPECT_FALSE(Histogram::FromProto(beyond).ok());
}

// Counts that add up only modulo 2^64, and extremes out of order, are not
// a histogram any recorder could make.
TEST(HistogramTest, FromProtoRejectsWrappedCountsAndMinAboveMax) {
  Histogram h;
  h.Record(100);
  h.Record(1000);
  const v1::LatencyHistogram good = h.ToProto();
  ASSERT_TRUE(Histogram::FromProto(good).ok());

  // 2^63 + 2^63 + 2 wraps to 2, the count.
  v1::LatencyHistogram wrapped = good;
  wrapped.set_bucket_count(0, (uint64_t{1} << 63) + 1);
  wrapped.set_bucket_count(1, (uint64_t{1} << 63) + 1);
  absl::StatusOr<Histogram> parsed = Histogram::FromProto(wrapped);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("2^64"));

  // The overflow count wraps the sum instead.
  v1::LatencyHistogram wrapped_overflow = good;
  wrapped_overflow.set_overflow_count(~uint64_t{0});
  wrapped_overflow.set_count(1);
  EXPECT_FALSE(Histogram::FromProto(wrapped_overflow).ok());

  v1::LatencyHistogram inverted = good;
  inverted.set_min_ns(5000);
  parsed = Histogram::FromProto(inverted);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(std::string(parsed.status().message()),
              HasSubstr("min_ns 5000 is greater than max_ns 1000"));
}

}  // namespace
}  // namespace scalebench::results
