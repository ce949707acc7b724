#include "loadgen/report.h"

#include "gtest/gtest.h"
#include "results/histogram.h"

namespace scalebench::loadgen {
namespace {

v1::LoadgenResult EmptyResult() {
  v1::LoadgenResult r;
  *r.mutable_latency() = results::Histogram().ToProto();
  return r;
}

TEST(ReportTest, ParseErrorsShowTheirCauses) {
  v1::LoadgenResult r = EmptyResult();
  r.mutable_errors()->set_parse(20);
  r.mutable_errors()->mutable_parse_causes()->set_status_line(20);
  auto text = FormatText(r);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_NE(text->find("parse 20 (status line 20)"), std::string::npos)
      << *text;
  auto json = FormatJson(r);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_NE(json->find("\"parse_causes\": {\n      \"status_line\": 20,"),
            std::string::npos)
      << *json;
}

TEST(ReportTest, AFailureIsShownWithItsKindReasonAndSkew) {
  v1::LoadgenResult r = EmptyResult();
  r.mutable_start_skew()->set_nanos(200'300'000);
  r.mutable_failure()->set_kind(v1::FAILURE_KIND_LATE_START);
  r.mutable_failure()->set_reason("started 200.3 ms after the planned instant");
  auto text = FormatText(r);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_NE(text->find("start skew  200.30ms"), std::string::npos) << *text;
  EXPECT_NE(text->find("FAILED      late_start: started 200.3 "
                       "ms after the planned instant"),
            std::string::npos)
      << *text;
  auto json = FormatJson(r);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_NE(json->find("\"kind\": \"late_start\""), std::string::npos) << *json;
  EXPECT_NE(json->find("\"start_skew_us\": 200300"), std::string::npos)
      << *json;
}

TEST(ReportTest, NoFailureIsNullInJson) {
  auto json = FormatJson(EmptyResult());
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_NE(json->find("\"failure\": null"), std::string::npos) << *json;
}

}  // namespace
}  // namespace scalebench::loadgen
