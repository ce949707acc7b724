#include "loadgen/flags.h"

#include <optional>
#include <sstream>

#include "common/exit_codes.h"
#include "gtest/gtest.h"
#include "loadgen/target.h"

namespace scalebench::loadgen {
namespace {

// Parses `args` as scalebench-loadgen does: the shared command-line layer,
// then FinishFlags. A usage error comes back as INVALID_ARGUMENT carrying
// what the binary would print.
absl::StatusOr<LoadgenFlags> Parse(const std::vector<std::string>& args) {
  CommandLine command_line("scalebench-loadgen", kLoadgenDescription);
  LoadgenFlags flags;
  AddLoadgenFlags(command_line.app(), &flags);
  std::ostringstream out;
  std::ostringstream err;
  if (std::optional<int> exit = command_line.Parse(args, out, err)) {
    if (*exit != kExitBadInput) return absl::InternalError("help or version");
    return absl::InvalidArgumentError(err.str());
  }
  if (absl::Status s = FinishFlags(&flags); !s.ok()) return s;
  return flags;
}

TEST(FlagsTest, ParsesAbStyleRun) {
  auto cl = Parse({"-n", "10000", "-c", "1000", "--no-keepalive",
                   "http://127.0.0.1:8080/"});
  ASSERT_TRUE(cl.ok()) << cl.status();
  EXPECT_EQ(cl->options.requests, 10000u);
  EXPECT_EQ(cl->options.connections, 1000u);
  EXPECT_FALSE(cl->options.keepalive);
  EXPECT_EQ(cl->options.mode, Mode::kClosed);
  EXPECT_EQ(cl->output, OutputFormat::kText);
  EXPECT_EQ(EffectiveThreads(cl->options), AvailableCores());
}

TEST(FlagsTest, DefaultThreadsNeverExceedConnections) {
  auto cl = Parse({"-c", "1", "-n", "5", "http://h/"});
  ASSERT_TRUE(cl.ok()) << cl.status();
  EXPECT_EQ(EffectiveThreads(cl->options), 1u);
}

TEST(FlagsTest, RateImpliesOpenLoopAndDurationsTakeUnits) {
  auto cl = Parse({"--rate=2500", "-d", "1m", "--warmup", "500ms", "--timeout",
                   "2", "-o", "json", "--cpus", "0", "http://h/"});
  ASSERT_TRUE(cl.ok()) << cl.status();
  EXPECT_EQ(cl->options.mode, Mode::kOpen);
  EXPECT_EQ(cl->options.rate, 2500);
  EXPECT_EQ(cl->options.duration, absl::Minutes(1));
  EXPECT_EQ(cl->options.warmup, absl::Milliseconds(500));
  EXPECT_EQ(cl->options.timeout, absl::Seconds(2));
  EXPECT_EQ(cl->options.cpus, (std::vector<int>{0}));
  EXPECT_EQ(EffectiveThreads(cl->options), 1u);
  EXPECT_EQ(cl->output, OutputFormat::kJson);
}

TEST(FlagsTest, StartAtAcceptsRfc3339AndUnixSeconds) {
  auto a =
      Parse({"-d", "1", "--start-at", "2026-11-29T12:00:00Z", "http://h/"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(absl::ToUnixSeconds(*a->options.start_at), 1795953600);
  auto b = Parse({"-d", "1", "--start-at", "1795953600.5", "http://h/"});
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(absl::ToUnixMillis(*b->options.start_at), 1795953600500);
}

TEST(FlagsTest, StartToleranceTakesADurationAndDefaultsToFiveMs) {
  auto a = Parse({"-d", "1", "http://h/"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->options.start_tolerance, absl::Milliseconds(5));
  auto b = Parse({"-d", "1", "--start-tolerance", "250ms", "http://h/"});
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->options.start_tolerance, absl::Milliseconds(250));
  auto c = Parse({"-d", "1", "--start-tolerance", "soon", "http://h/"});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("--start-tolerance: 'soon'"),
            std::string::npos);
}

TEST(FlagsTest, ErrorsNameTheFlag) {
  struct Case {
    std::vector<std::string> args;
    const char* mentions;
  };
  for (const Case& c : std::vector<Case>{
           {{"-c", "x", "-d", "1", "http://h/"}, "--connections"},
           {{"-c", "0", "-d", "1", "http://h/"}, "--connections"},
           {{"-d", "soon", "http://h/"}, "--duration: 'soon'"},
           {{"-d", "1", "-n", "5", "http://h/"}, "exactly one"},
           {{"http://h/"}, "exactly one"},
           {{"-d", "1", "--mode", "open", "http://h/"}, "--rate"},
           {{"-d", "1", "--mode", "closed", "--rate", "5", "http://h/"},
            "open-loop"},
           {{"-d", "1", "--rate", "1e-9", "http://h/"},
            "--rate 1e-09 is so low"},
           {{"-d", "1", "-t", "4", "-c", "2", "http://h/"}, "--threads 4"},
           {{"-d", "1", "--cpus", "3-1", "http://h/"}, "--cpus"},
           {{"-d", "1", "--cpus", "4095", "http://h/"},
            "--cpus: core 4095 is not available"},
           {{"-d", "1", "-o", "xml", "http://h/"}, "text, json, proto"},
           {{"-d", "1", "-H", "Bad Header", "http://h/"}, "Name: value"},
           {{"-d"}, "--duration"},
           {{"-d", "1", "--frobnicate", "http://h/"}, "--frobnicate"},
           {{"-d", "1", "-d", "2", "http://h/"},
            "--duration: given more than once"},
           {{"-d", "1"}, "URL is required"},
           {{"-d", "1", "ftp://h/"}, "only http://"},
           {{"-d", "1000000h", "http://h/"},
            "--duration: '1000000h' is longer than the maximum of 8784h"},
           {{"-d", "1e30", "http://h/"}, "longer than the maximum"},
           {{"-d", "1", "--timeout", "9000h", "http://h/"},
            "--timeout: '9000h' is longer than the maximum"},
           {{"-d", "1", "--warmup", "9000h", "http://h/"}, "--warmup: '9000h'"},
           {{"-d", "1", "--start-tolerance", "9000h", "http://h/"},
            "--start-tolerance: '9000h'"},
       }) {
    auto cl = Parse(c.args);
    ASSERT_FALSE(cl.ok()) << c.mentions;
    EXPECT_EQ(cl.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(cl.status().message().find(c.mentions), std::string::npos)
        << cl.status().message();
  }
}

// The library names options by their fields; only the binary says flags.
TEST(ValidateOptionsTest, NamesFieldsUnlessAskedForFlags) {
  LoadOptions o;
  o.urls = {"http://h/"};
  o.duration = absl::Seconds(1);
  o.start_tolerance = absl::Hours(9000);
  EXPECT_EQ(ValidateOptions(o).message(),
            "start_tolerance 9000h exceeds the maximum of 8784h");
  EXPECT_EQ(ValidateOptions(o, FlagForOption).message(),
            "--start-tolerance 9000h exceeds the maximum of 8784h");
}

TEST(FlagsTest, HelpAndVersionAreAnswered) {
  CommandLine command_line("scalebench-loadgen", kLoadgenDescription);
  LoadgenFlags flags;
  AddLoadgenFlags(command_line.app(), &flags);
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(command_line.Parse({"--bogus", "--help"}, out, err), kExitOk);
  EXPECT_NE(out.str().find("--no-keepalive"), std::string::npos);
  EXPECT_NE(out.str().find("Exit status"), std::string::npos);
}

TEST(UrlTest, ParsesHostPortAndPath) {
  auto u = ParseUrl("http://127.0.0.1:8080/a/b?c=d");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->path, "/a/b?c=d");
  EXPECT_EQ(u->authority, "127.0.0.1:8080");

  auto v6 = ParseUrl("http://[::1]:81");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->path, "/");
  EXPECT_EQ(v6->authority, "[::1]:81");

  auto plain = ParseUrl("http://localhost");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->authority, "localhost");
}

TEST(UrlTest, RejectsWhatCannotBeRequested) {
  for (const char* bad :
       {"127.0.0.1:80", "https://h/", "http://", "http://h:0/", "http://h:x/",
        "http://h:/", "http://h/a b", "http://u@h/", "http://[::1/"}) {
    EXPECT_FALSE(ParseUrl(bad).ok()) << bad;
  }
}

TEST(RequestTest, BuildsMinimalRequestAndHonoursOverrides) {
  auto u = ParseUrl("http://127.0.0.1:8080/x");
  ASSERT_TRUE(u.ok());
  LoadOptions o;
  EXPECT_EQ(BuildRequest(*u, o),
            "GET /x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
  o.keepalive = false;
  o.method = "POST";
  o.headers = {"Host: example", "X-A: 1"};
  o.body = "abc";
  EXPECT_EQ(BuildRequest(*u, o),
            "POST /x HTTP/1.1\r\n"
            "Connection: close\r\nHost: example\r\nX-A: 1\r\n"
            "Content-Length: 3\r\n\r\nabc");
}

TEST(RequestTest, HeaderInjectionIsRefused) {
  EXPECT_FALSE(ValidateHeader("X-A: 1\r\nX-B: 2").ok());
  EXPECT_FALSE(ValidateHeader(": empty name").ok());
  EXPECT_TRUE(ValidateHeader("X-Ok: fine, really").ok());
}

}  // namespace
}  // namespace scalebench::loadgen
