// The load generator against servers that misbehave: every kind of bad
// response is survived, counted as an error of its kind, and the run still
// ends on time with valid JSON. And an open-loop run shows a server stall
// in its tail latency, where a closed-loop run hides it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "loadgen/epoll_wait.h"
#include "loadgen/report.h"
#include "loadgen/runner.h"
#include "nlohmann/json.hpp"
#include "results/histogram.h"
#include "tests/support/hostile_server.h"
#include "tests/support/run_command.h"

namespace scalebench {
namespace {

using testing::Behavior;
using testing::HostileServer;

constexpr int kRequests = 20;

using testing::Captured;

// Runs scalebench-loadgen with `args`.
Captured RunBinary(const std::string& args) {
  return testing::RunCommand(
      absl::StrCat(SCALEBENCH_LOADGEN_BINARY, " ", args));
}

struct HostileCase {
  Behavior behavior;
  const char* error_kind;  // The JSON key under "errors".
  // For parse errors, the key under "errors"."parse_causes".
  const char* parse_cause = nullptr;
};

void PrintTo(const HostileCase& c, std::ostream* os) {
  *os << testing::BehaviorName(c.behavior);
}

class HostileResponseTest : public ::testing::TestWithParam<HostileCase> {};

TEST_P(HostileResponseTest, CountedAsItsKindWithValidJson) {
  const HostileCase& c = GetParam();
  auto server = HostileServer::Start(c.behavior);
  ASSERT_TRUE(server.ok()) << server.status();

  const absl::Time start = absl::Now();
  const Captured run = RunBinary(absl::StrCat(
      "-n ", kRequests, " -c 4 --timeout 300ms -o json ", (*server)->url()));
  const absl::Duration took = absl::Now() - start;

  ASSERT_EQ(run.exit_code, 0) << run.out;
  ASSERT_TRUE(nlohmann::json::accept(run.out)) << run.out;
  const nlohmann::json j = nlohmann::json::parse(run.out);
  const nlohmann::json& errors = j.at("errors");
  const uint64_t requests = j.at("requests");
  const uint64_t total = errors.at("total");
  const uint64_t status = errors.at("status");
  // Every one of the requests ended as exactly one outcome...
  EXPECT_EQ(requests + total - status, static_cast<uint64_t>(kRequests));
  // ...and each was the error this server provokes.
  EXPECT_EQ(errors.at(c.error_kind).get<uint64_t>(),
            static_cast<uint64_t>(kRequests))
      << run.out;
  if (c.parse_cause != nullptr) {
    EXPECT_EQ(errors.at("parse_causes").at(c.parse_cause).get<uint64_t>(),
              static_cast<uint64_t>(kRequests))
        << run.out;
  }
  // Five rounds of four connections, each bounded by the 300 ms timeout.
  EXPECT_LT(took, absl::Seconds(20));
}

INSTANTIATE_TEST_SUITE_P(
    AllBehaviors, HostileResponseTest,
    ::testing::Values(
        HostileCase{Behavior::kGarbage, "parse", "status_line"},
        HostileCase{Behavior::kTruncatedBody, "read"},
        HostileCase{Behavior::kCloseWithoutReply, "read"},
        HostileCase{Behavior::kReset, "read"},
        HostileCase{Behavior::kNeverReply, "timeout"},
        HostileCase{Behavior::kOversizedHeaders, "parse", "headers_too_large"},
        HostileCase{Behavior::kEndlessBody, "timeout"},
        HostileCase{Behavior::kBadChunk, "parse", "chunk_syntax"},
        HostileCase{Behavior::kStatus500, "status"},
        HostileCase{Behavior::kTrailingGarbage, "parse", "unexpected_data"},
        HostileCase{Behavior::kSlowHeaders, "timeout"},
        HostileCase{Behavior::kConflictingLength, "parse", "content_length"},
        HostileCase{Behavior::kEndlessInterim, "parse", "headers_too_large"}),
    [](const ::testing::TestParamInfo<HostileCase>& info) {
      return std::string(testing::BehaviorName(info.param.behavior));
    });

// Transfer-Encoding other than chunked overrides Content-Length: the body
// ends with the close, so the response is whole (and its connection is
// not reused).
TEST(HostileFramingTest, OtherCodingWithLengthIsFramedByTheClose) {
  auto server = HostileServer::Start(Behavior::kOtherCodingWithLength);
  ASSERT_TRUE(server.ok()) << server.status();
  loadgen::LoadOptions o;
  o.urls = {(*server)->url()};
  o.connections = 4;
  o.requests = kRequests;
  o.timeout = absl::Milliseconds(300);
  auto r = loadgen::RunLoad(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status_classes().status_2xx(), uint64_t{kRequests});
  EXPECT_EQ(loadgen::TotalErrors(r->errors()), 0u);
  // Plus one for the reachability check.
  EXPECT_EQ((*server)->connections(), kRequests + 1);
}

// A server that answers before it has read the request body: the rest of
// the request is abandoned, so the connection cannot carry another one.
TEST(HostileFramingTest, EarlyResponseEndsTheConnection) {
  auto server = HostileServer::Start(Behavior::kEarlyReply);
  ASSERT_TRUE(server.ok()) << server.status();
  loadgen::LoadOptions o;
  o.urls = {(*server)->url()};
  o.method = "POST";
  // More than the client's send buffer and the server's window together.
  o.body = std::string(16 << 20, 'x');
  o.connections = 2;
  o.requests = 10;
  o.timeout = absl::Seconds(2);
  auto r = loadgen::RunLoad(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status_classes().status_4xx(), 10u);
  EXPECT_EQ(r->errors().status(), 10u);
  EXPECT_EQ(loadgen::TotalErrors(r->errors()), 10u);
  EXPECT_EQ((*server)->connections(), 10 + 1);
}

// A server that speaks first: what it sends arrives together with the
// completion of the connect, before any byte of the request went out. To
// make the two coincide, the accept queue is kept full so the connect
// waits for a SYN retry (about 1 s), and the server accepts and speaks
// from a hook that runs on the loop thread just before it waits.
int speak_first_listener = -1;
int speak_first_connection = -1;

void AcceptAndSpeakBeforeTheWait() {
  static std::atomic<bool> done{false};
  if (done.exchange(true)) return;
  // Taking the reachability check's connection frees the queue for the
  // load generator's, whose SYN was dropped.
  for (int i = 0; i < 2; ++i) {
    pollfd p = {speak_first_listener, POLLIN, 0};
    if (poll(&p, 1, 5000) != 1) return;
    const int fd = accept4(speak_first_listener, nullptr, nullptr, 0);
    if (i == 0) {
      close(fd);
      continue;
    }
    speak_first_connection = fd;
    const std::string hello = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    send(fd, hello.data(), hello.size(), MSG_NOSIGNAL);
    absl::SleepFor(absl::Milliseconds(20));  // Let it land.
  }
}

TEST(ConnectEventTest, DataAtConnectCompletionIsNotDropped) {
  speak_first_listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(bind(speak_first_listener, reinterpret_cast<sockaddr*>(&addr),
                 sizeof(addr)),
            0);
  // Backlog 0: one queued connection (the reachability check's) fills it.
  ASSERT_EQ(listen(speak_first_listener, 0), 0);
  ASSERT_EQ(getsockname(speak_first_listener,
                        reinterpret_cast<sockaddr*>(&addr), &len),
            0);
  loadgen::LoadOptions o;
  o.urls = {absl::StrCat("http://127.0.0.1:", ntohs(addr.sin_port), "/")};
  o.connections = 1;
  o.requests = 1;
  o.timeout = absl::Seconds(5);
  loadgen::TEST_SetBeforeWaitHook(&AcceptAndSpeakBeforeTheWait);
  auto r = loadgen::RunLoad(o);
  loadgen::TEST_SetBeforeWaitHook(nullptr);
  close(speak_first_connection);
  close(speak_first_listener);
  ASSERT_TRUE(r.ok()) << r.status();
  // The bytes answer no request: counted at once, not left to time out.
  EXPECT_EQ(r->errors().timeout(), 0u);
  EXPECT_EQ(r->errors().parse_causes().unexpected_data(), 1u);
  EXPECT_EQ(r->errors().parse(), 1u);
}

TEST(LoadgenCommandTest, BadUrlAndBadFlagsExitTwoWithAMessage) {
  for (const char* args :
       {"https://127.0.0.1/", "http://:80/", "http://127.0.0.1:99999/",
        "-c 0 -n 1 http://127.0.0.1/", "-n 5 -d 1s http://127.0.0.1/",
        "--rate -3 -d 1s http://127.0.0.1/", "--bogus http://127.0.0.1/",
        "-H 'no colon' -n 1 http://127.0.0.1/", "-n 1"}) {
    const Captured run = RunBinary(absl::StrCat(args, " 2>&1"));
    EXPECT_EQ(run.exit_code, 2) << args;
    EXPECT_NE(run.out.find("scalebench-loadgen: "), std::string::npos) << args;
  }
}

TEST(LoadgenCommandTest, UnreachableServerExitsOneWithAMessage) {
  // Port 1 on loopback: nothing of ours listens there.
  const Captured run = RunBinary("-n 10 http://127.0.0.1:1/ 2>&1");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("cannot connect to 127.0.0.1:1"), std::string::npos)
      << run.out;
}

TEST(LoadgenCommandTest, HelpTeachesTheFlags) {
  const Captured run = RunBinary("--help");
  EXPECT_EQ(run.exit_code, 0);
  for (const char* flag :
       {"--duration", "--requests", "--rate", "--no-keepalive", "--warmup",
        "--cpus", "--output"}) {
    EXPECT_NE(run.out.find(flag), std::string::npos) << flag;
  }
}

// A server that stalls for one second in the middle of an open-loop run:
// the requests intended during the stall wait for it, and the tail says
// so. The same stall under a closed loop delays only the requests in
// flight, and the tail hides it: coordinated omission.
class StallTest : public ::testing::Test {
 protected:
  static uint64_t P99Ms(const v1::LoadgenResult& r) {
    auto h = results::Histogram::FromProto(r.latency());
    EXPECT_TRUE(h.ok());
    return h->ValueAtQuantile(0.99) / 1'000'000;
  }

  v1::LoadgenResult RunWithStall(loadgen::Mode mode) {
    auto server = HostileServer::Start(Behavior::kGood);
    EXPECT_TRUE(server.ok());
    loadgen::LoadOptions o;
    o.urls = {(*server)->url()};
    o.mode = mode;
    if (mode == loadgen::Mode::kOpen) o.rate = 400;
    o.connections = 8;
    o.duration = absl::Seconds(3);
    o.timeout = absl::Seconds(5);
    const absl::Time start = absl::Now();
    std::thread staller([&] {
      absl::SleepFor(absl::Seconds(1));
      (*server)->StallUntil(start + absl::Seconds(2));
    });
    auto r = loadgen::RunLoad(o);
    staller.join();
    EXPECT_TRUE(r.ok()) << r.status();
    return *r;
  }
};

TEST_F(StallTest, OpenLoopShowsTheStallInTheTail) {
  const v1::LoadgenResult r = RunWithStall(loadgen::Mode::kOpen);
  // About a third of the requests were intended during the stall; the
  // p99 among them waited most of the second.
  EXPECT_GE(P99Ms(r), 500u);
  EXPECT_EQ(r.errors().timeout(), 0u);
  // Nothing was dropped: every slot of the schedule was sent.
  EXPECT_EQ(r.requests(), 1200u);
}

TEST_F(StallTest, ClosedLoopHidesTheStall) {
  const v1::LoadgenResult r = RunWithStall(loadgen::Mode::kClosed);
  // Only the 8 requests in flight saw the stall, among many thousands.
  EXPECT_GT(r.requests(), 1000u);
  EXPECT_LT(P99Ms(r), 100u);
  EXPECT_GE(r.latency().max_ns(), 500'000'000u);
}

}  // namespace
}  // namespace scalebench
