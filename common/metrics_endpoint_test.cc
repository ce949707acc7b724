#include "common/metrics_endpoint.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "common/http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench {
namespace {

using ::testing::HasSubstr;

// The body of GET http://address/metrics; empty when the request fails.
std::string Scrape(const std::string& address) {
  absl::StatusOr<HttpResponse> response =
      HttpGet(absl::StrCat("http://", address, "/metrics"));
  return response.ok() ? response->body : "";
}

TEST(MetricsEndpointTest, ServesItsCollectablesOnAPickedPort) {
  auto registry = std::make_shared<prometheus::Registry>();
  prometheus::Counter& counter = prometheus::BuildCounter()
                                     .Name("scalebench_test_events_total")
                                     .Help("events")
                                     .Register(*registry)
                                     .Add({{"kind", "a"}});
  counter.Increment(3);
  absl::StatusOr<std::unique_ptr<MetricsEndpoint>> endpoint =
      MetricsEndpoint::Start({"127.0.0.1:0", false}, {registry});
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_GT((*endpoint)->port(), 0);
  EXPECT_EQ((*endpoint)->address(),
            absl::StrCat("127.0.0.1:", (*endpoint)->port()));
  EXPECT_THAT(Scrape((*endpoint)->address()),
              HasSubstr("scalebench_test_events_total{kind=\"a\"} 3"));
  counter.Increment();
  EXPECT_THAT(Scrape((*endpoint)->address()),
              HasSubstr("scalebench_test_events_total{kind=\"a\"} 4"));
}

TEST(MetricsEndpointTest, RefusesARemoteAddressUnlessAllowed) {
  absl::StatusOr<std::unique_ptr<MetricsEndpoint>> endpoint =
      MetricsEndpoint::Start({"0.0.0.0:0", false}, {});
  EXPECT_TRUE(absl::IsInvalidArgument(endpoint.status()));
  EXPECT_THAT(endpoint.status().message(), HasSubstr("metrics-listen"));
  EXPECT_THAT(endpoint.status().message(), HasSubstr("--metrics-allow-remote"));
  EXPECT_TRUE(MetricsEndpoint::Start({"0.0.0.0:0", true}, {}).ok());
}

TEST(MetricsEndpointTest, RejectsAMalformedAddress) {
  for (const char* listen : {"", "127.0.0.1", "127.0.0.1:http", ":9300",
                             "127.0.0.1:70000", "unix:/tmp/x"}) {
    absl::StatusOr<std::unique_ptr<MetricsEndpoint>> endpoint =
        MetricsEndpoint::Start({listen, false}, {});
    EXPECT_TRUE(absl::IsInvalidArgument(endpoint.status())) << listen;
  }
}

TEST(MetricsEndpointTest, APortInUseIsUnavailable) {
  absl::StatusOr<std::unique_ptr<MetricsEndpoint>> first =
      MetricsEndpoint::Start({"127.0.0.1:0", false}, {});
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::unique_ptr<MetricsEndpoint>> second =
      MetricsEndpoint::Start({(*first)->address(), false}, {});
  EXPECT_TRUE(absl::IsUnavailable(second.status())) << second.status();
}

}  // namespace
}  // namespace scalebench
