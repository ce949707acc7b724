#include "worker/endpoint.h"

#include "gtest/gtest.h"

namespace scalebench::worker {
namespace {

TEST(EndpointTest, ParsesIpv4HostnameAndBracketedIpv6) {
  absl::StatusOr<HostPort> v4 = ParseEndpoint("127.0.0.1:8080", "e");
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);
  EXPECT_EQ(v4->ToString(), "127.0.0.1:8080");

  absl::StatusOr<HostPort> name = ParseEndpoint("target-1.lab:1", "e");
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_EQ(name->ToString(), "target-1.lab:1");

  absl::StatusOr<HostPort> v6 = ParseEndpoint("[::1]:65535", "e");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_TRUE(v6->ipv6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->ToString(), "[::1]:65535");
}

TEST(EndpointTest, RefusesEverythingElse) {
  for (const char* bad : {
           "",
           "127.0.0.1",
           "127.0.0.1:",
           "127.0.0.1:0",
           "127.0.0.1:65536",
           "127.0.0.1:+80",
           "127.0.0.1:80 ",
           " 127.0.0.1:80",
           "127.0.0.1 :80",
           "::1:80",
           "[::1]80",
           "[not-v6]:80",
           "a b:80",
           "a;b:80",
           "a\"b:80",
           "a'b:80",
           "a\nb:80",
           "a:80;\nserver evil:1",
           "host_name:80",
           "-lead:80",
           "trail-:80",
           "a..b:80",
           "a/b:80",
           "a{b}:80",
           "a#b:80",
           "127.0.0.1:80\n",
       }) {
    EXPECT_FALSE(ParseEndpoint(bad, "endpoints[0]").ok())
        << "accepted: " << bad;
  }
  EXPECT_EQ(ParseEndpoint("a;b:80", "endpoints[3]").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_NE(ParseEndpoint("a;b:80", "endpoints[3]")
                .status()
                .message()
                .find("endpoints[3]"),
            std::string::npos);
}

TEST(EndpointTest, HostsAreLiteralsOrNames) {
  EXPECT_TRUE(ValidateHost("0.0.0.0", "h").ok());
  EXPECT_TRUE(ValidateHost("::", "h").ok());
  EXPECT_TRUE(ValidateHost("localhost", "h").ok());
  EXPECT_FALSE(ValidateHost("", "h").ok());
  EXPECT_FALSE(ValidateHost("[::1]", "h").ok());
  EXPECT_FALSE(ValidateHost("127.0.0.1; evil", "h").ok());
  EXPECT_FALSE(MakeHostPort("127.0.0.1", 0, "h").ok());
}

}  // namespace
}  // namespace scalebench::worker
