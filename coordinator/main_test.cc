// The real scalebench-coordinator binary: it listens, answers
// ListExperiments, and exits 0 on SIGTERM.
#include <grpcpp/client_context.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/grpc_channel.h"
#include "gtest/gtest.h"
#include "scalebench/v1/coordinator.grpc.pb.h"

namespace scalebench {
namespace {

constexpr char kBinary[] = SCALEBENCH_COORDINATOR_BINARY;
constexpr char kListening[] = "scalebench-coordinator: listening on ";

TEST(CoordinatorMainTest, ServesUntilSigtermThenExitsZero) {
  // The server's graceful shutdown waits for this client to answer its
  // GOAWAY ping; an idle gRPC client reads its socket only when the
  // backup poller runs (every 5 s by default), so poll often.
  setenv("GRPC_CLIENT_CHANNEL_BACKUP_POLL_INTERVAL_MS", "50", 1);
  std::string dir = ::testing::TempDir() + "/cmain-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  // A folder that does not exist yet: the binary creates it.
  const std::string db = dir + "/data/coordinator.db";

  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execl(kBinary, kBinary, "--listen", "127.0.0.1:0", "--db", db.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);

  // The first line says where it listens (port 0: the one it picked).
  FILE* stream = fdopen(out[0], "r");
  ASSERT_NE(stream, nullptr);
  char line[256] = {};
  ASSERT_NE(fgets(line, sizeof(line), stream), nullptr);
  absl::string_view text = absl::StripAsciiWhitespace(line);
  ASSERT_TRUE(absl::ConsumePrefix(&text, kListening)) << line;
  const std::string address(text);
  EXPECT_FALSE(absl::EndsWith(address, ":0")) << address;
  EXPECT_TRUE(std::filesystem::exists(db));

  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel(address, TransportSecurity{});
  ASSERT_TRUE(channel.ok()) << channel.status();
  auto stub = v1::CoordinatorService::NewStub(*channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::ListExperimentsResponse response;
  grpc::Status status =
      stub->ListExperiments(&context, v1::ListExperimentsRequest(), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.experiments_size(), 0);

  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int wait_status = 0;
  ASSERT_EQ(waitpid(pid, &wait_status, 0), pid);
  fclose(stream);
  ASSERT_TRUE(WIFEXITED(wait_status)) << wait_status;
  EXPECT_EQ(WEXITSTATUS(wait_status), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace scalebench
