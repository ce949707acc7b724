#include "results/errors.h"

#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::results {
namespace {

using ::testing::Optional;

// `ok` 200s, and `codes` responses with each of the other statuses.
v1::LoadgenResult Answered(uint64_t ok,
                           std::initializer_list<std::pair<int, int>> codes) {
  v1::LoadgenResult r;
  r.set_requests(ok);
  r.mutable_status_classes()->set_status_2xx(ok);
  if (ok > 0) (*r.mutable_statuses())[200] = ok;
  for (const auto& [code, count] : codes) {
    r.set_requests(r.requests() + count);
    (*r.mutable_statuses())[code] += count;
    r.mutable_errors()->set_status(r.errors().status() + count);
    v1::StatusClassCounts& c = *r.mutable_status_classes();
    if (code >= 500) {
      c.set_status_5xx(c.status_5xx() + count);
    } else if (code >= 400) {
      c.set_status_4xx(c.status_4xx() + count);
    } else {
      c.set_status_3xx(c.status_3xx() + count);
    }
  }
  return r;
}

TEST(ErrorsTest, AllNotFoundCanNeverPassWhateverTheBound) {
  const v1::LoadgenResult r = Answered(0, {{404, 12034}});
  EXPECT_EQ(Successes(r), 0u);
  EXPECT_EQ(Failures(r), 12034u);
  EXPECT_DOUBLE_EQ(ErrorRate(r), 1.0);
  EXPECT_THAT(ExcessErrorsReason(r, 1.0),
              Optional(std::string(
                  "none of the 12034 requests succeeded (2xx): status 404 "
                  "(12034)")));
}

TEST(ErrorsTest, HalfAPercentUnderAOnePercentBoundPasses) {
  const v1::LoadgenResult r = Answered(995, {{503, 5}});
  EXPECT_DOUBLE_EQ(ErrorRate(r), 0.005);
  EXPECT_EQ(ExcessErrorsReason(r, 0.01), std::nullopt);
}

TEST(ErrorsTest, AboveTheBoundNamesStatusesMostFrequentFirstThenNoResponse) {
  v1::LoadgenResult r = Answered(970, {{404, 2}, {503, 26}});
  r.mutable_errors()->set_timeout(2);
  EXPECT_DOUBLE_EQ(ErrorRate(r), 0.03);
  EXPECT_THAT(ExcessErrorsReason(r, 0.01),
              Optional(std::string(
                  "30 of 1000 requests failed (3%, more than "
                  "loadgen.max_error_rate 1%): status 503 (26), status 404 "
                  "(2), timeouts (2)")));
}

TEST(ErrorsTest, ARedirectIsNotASuccess) {
  const v1::LoadgenResult r = Answered(0, {{301, 10}});
  EXPECT_EQ(Failures(r), 10u);
  EXPECT_TRUE(ExcessErrorsReason(r, 0.5).has_value());
}

TEST(ErrorsTest, NoRequestAtAllIsNoThroughput) {
  v1::LoadgenResult r;
  r.mutable_errors()->set_connect(3);
  EXPECT_THAT(ExcessErrorsReason(r, 0.01),
              Optional(std::string("none of the 3 requests succeeded (2xx): "
                                   "connect errors (3)")));
  // Nothing sent that completed or failed: a stall, judged elsewhere.
  EXPECT_EQ(ExcessErrorsReason(v1::LoadgenResult(), 0.01), std::nullopt);
}

}  // namespace
}  // namespace scalebench::results
