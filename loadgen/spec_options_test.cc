#include "loadgen/spec_options.h"

#include "gtest/gtest.h"

namespace scalebench::loadgen {
namespace {

TEST(LoadOptionsFromSpecTest, AnEmptySpecTakesTheSpecsDefaults) {
  v1::LoadSpec load;
  load.mutable_duration()->set_seconds(3);
  absl::StatusOr<LoadOptions> o =
      LoadOptionsFromSpec(load, {"127.0.0.1:8080", "127.0.0.1:8081"}, {1});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->urls, (std::vector<std::string>{"http://127.0.0.1:8080/",
                                               "http://127.0.0.1:8081/"}));
  EXPECT_EQ(o->connections, 100u);
  EXPECT_TRUE(o->keepalive);
  EXPECT_EQ(o->method, "GET");
  EXPECT_EQ(o->timeout, absl::Seconds(10));
  EXPECT_EQ(o->duration, absl::Seconds(3));
  EXPECT_EQ(o->start_tolerance, LoadOptions().start_tolerance);
  EXPECT_EQ(o->mode, Mode::kClosed);
  EXPECT_EQ(o->cpus, std::vector<int>{1});
}

TEST(LoadOptionsFromSpecTest, EveryFieldGiven) {
  v1::LoadSpec load;
  load.set_mode(v1::LOAD_MODE_OPEN);
  load.set_connections(8);
  load.set_threads(2);
  load.set_requests(1000);
  load.set_rate(500);
  load.set_keepalive(false);
  load.mutable_warmup()->set_nanos(500'000'000);
  load.mutable_timeout()->set_seconds(2);
  load.set_method("POST");
  load.set_path("/api?x=1");
  load.add_headers("X-Test: 1");
  load.set_body("abc");
  load.mutable_start_tolerance()->set_nanos(40'000'000);
  absl::StatusOr<LoadOptions> o = LoadOptionsFromSpec(load, {"h:80"}, {});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->urls[0], "http://h:80/api?x=1");
  EXPECT_EQ(o->mode, Mode::kOpen);
  EXPECT_EQ(o->connections, 8u);
  EXPECT_EQ(o->threads, 2u);
  EXPECT_EQ(o->requests, 1000u);
  EXPECT_EQ(o->rate, 500);
  EXPECT_FALSE(o->keepalive);
  EXPECT_EQ(o->warmup, absl::Milliseconds(500));
  EXPECT_EQ(o->timeout, absl::Seconds(2));
  EXPECT_EQ(o->method, "POST");
  EXPECT_EQ(o->headers, std::vector<std::string>{"X-Test: 1"});
  EXPECT_EQ(o->body, "abc");
  EXPECT_EQ(o->start_tolerance, absl::Milliseconds(40));
}

TEST(LoadOptionsFromSpecTest, InvalidLoadNamesTheField) {
  v1::LoadSpec load;  // Neither duration nor requests.
  absl::StatusOr<LoadOptions> o = LoadOptionsFromSpec(load, {"h:80"}, {});
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("duration"), std::string::npos);
}

}  // namespace
}  // namespace scalebench::loadgen
