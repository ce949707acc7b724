// The real scalebench-coordinator binary: it listens, answers
// ListExperiments, holds workers to their certificate's id under mutual
// TLS (certificates from deploy/pki/pki.sh), and exits 0 on SIGTERM.
#include <grpcpp/client_context.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/grpc_channel.h"
#include "gtest/gtest.h"
#include "scalebench/v1/coordinator.grpc.pb.h"
#include "scalebench/v1/worker.grpc.pb.h"
#include "tests/support/synchronize_call.h"
#include "tests/support/test_pki.h"

namespace scalebench {
namespace {

constexpr char kBinary[] = SCALEBENCH_COORDINATOR_BINARY;
constexpr char kListening[] = "scalebench-coordinator: listening on ";

// A running scalebench-coordinator: its pid and the address it printed.
struct Running {
  pid_t pid = -1;
  FILE* out = nullptr;
  std::string address;
};

// Starts the binary on 127.0.0.1:0 with `args` and reads where it listens.
Running Start(std::vector<std::string> args) {
  args.insert(args.begin(), {kBinary, "--listen", "127.0.0.1:0"});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Running running;
  int out[2];
  EXPECT_EQ(pipe(out), 0);
  running.pid = fork();
  EXPECT_GE(running.pid, 0);
  if (running.pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execv(kBinary, argv.data());
    _exit(127);
  }
  close(out[1]);
  // The first line says where it listens (port 0: the one it picked).
  running.out = fdopen(out[0], "r");
  char line[256] = {};
  if (running.out == nullptr ||
      fgets(line, sizeof(line), running.out) == nullptr) {
    ADD_FAILURE() << "no output from " << kBinary;
    return running;
  }
  absl::string_view text = absl::StripAsciiWhitespace(line);
  EXPECT_TRUE(absl::ConsumePrefix(&text, kListening)) << line;
  running.address = std::string(text);
  EXPECT_FALSE(absl::EndsWith(running.address, ":0")) << running.address;
  return running;
}

// Sends SIGTERM and returns the exit status (-1 if it did not exit).
int Stop(Running& running) {
  if (running.pid <= 0) return -1;
  EXPECT_EQ(kill(running.pid, SIGTERM), 0);
  int wait_status = 0;
  EXPECT_EQ(waitpid(running.pid, &wait_status, 0), running.pid);
  if (running.out != nullptr) fclose(running.out);
  return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
}

class CoordinatorMainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The server's graceful shutdown waits for this client to answer its
    // GOAWAY ping; an idle gRPC client reads its socket only when the
    // backup poller runs (every 5 s by default), so poll often.
    setenv("GRPC_CLIENT_CHANNEL_BACKUP_POLL_INTERVAL_MS", "50", 1);
    std::string dir = ::testing::TempDir() + "/cmain-XXXXXX";
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    dir_ = dir;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
};

grpc::Status ListExperiments(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::CoordinatorService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::ListExperimentsResponse response;
  return stub->ListExperiments(&context, v1::ListExperimentsRequest(),
                               &response);
}

TEST_F(CoordinatorMainTest, ServesUntilSigtermThenExitsZero) {
  // A folder that does not exist yet: the binary creates it.
  const std::string db = dir_ + "/data/coordinator.db";
  Running running = Start({"--db", db});
  ASSERT_FALSE(running.address.empty());
  EXPECT_TRUE(std::filesystem::exists(db));

  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel(running.address, TransportSecurity{});
  ASSERT_TRUE(channel.ok()) << channel.status();
  grpc::Status status = ListExperiments(*channel);
  EXPECT_TRUE(status.ok()) << status.error_message();

  EXPECT_EQ(Stop(running), 0);
}

TEST_F(CoordinatorMainTest, UnderMutualTlsAWorkerMaySyncOnlyAsItsOwnId) {
  for (const char* args :
       {"ca pki", "server pki coordinator --ip 127.0.0.1 --dns localhost",
        "worker pki host-a", "client pki alice"}) {
    ASSERT_EQ(testing::RunPki(SCALEBENCH_PKI_SH, dir_, args), 0) << args;
  }
  auto material = [&](const std::string& name) {
    return testing::PkiMaterial(dir_, name);
  };
  Running running = Start({"--db", dir_ + "/c.db", "--ca", dir_ + "/pki/ca.crt",
                           "--cert", dir_ + "/pki/server-coordinator.crt",
                           "--key", dir_ + "/pki/server-coordinator.key"});
  ASSERT_FALSE(running.address.empty());

  absl::StatusOr<std::shared_ptr<grpc::Channel>> client =
      MakeChannel(running.address, material("client-alice"));
  ASSERT_TRUE(client.ok()) << client.status();
  grpc::Status listed = ListExperiments(*client);
  EXPECT_TRUE(listed.ok()) << listed.error_message();

  absl::StatusOr<std::shared_ptr<grpc::Channel>> worker =
      MakeChannel(running.address, material("worker-host-a"));
  ASSERT_TRUE(worker.ok()) << worker.status();
  for (const char* id : {"host-b", "host-a"}) {
    grpc::Status status = testing::SynchronizeIdle(*worker, id);
    if (std::string(id) == "host-a") {
      EXPECT_TRUE(status.ok()) << status.error_message();
    } else {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << status.error_message();
    }
  }

  EXPECT_EQ(Stop(running), 0);
}

}  // namespace
}  // namespace scalebench
