// The real scalebench-worker binary as a daemon, against a coordinator
// stand-in on 127.0.0.1:0: it reports its facts, prepares a native target
// (and holds its state dir: a second worker there is refused),
// measures at the instant it is given, spools and delivers the result,
// tears down, and stops cleanly on SIGTERM leaving nothing running.
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/proto_time.h"
#include "gtest/gtest.h"
#include "scalebench/v1/worker.grpc.pb.h"

namespace scalebench::worker {
namespace {

// Answers every Synchronize with the desired state the test sets,
// acknowledges results, and records requests. Holds no call: the worker
// calls again at once, which is all this test needs.
class ScriptedCoordinator final : public v1::WorkerService::Service {
 public:
  grpc::Status Synchronize(grpc::ServerContext*,
                           const v1::SynchronizeRequest* request,
                           v1::SynchronizeResponse* response) override {
    absl::SleepFor(absl::Milliseconds(20));  // A short long-poll.
    absl::MutexLock lock(&mu_);
    *response->mutable_receive_time() = TimeToProto(absl::Now());
    requests_.push_back(*request);
    for (const v1::WorkerResult& r : request->results()) {
      results_.push_back(r);
      v1::ResultAck* ack = response->add_acknowledged();
      *ack->mutable_key() = r.key();
      ack->set_worker_id(r.worker_id());
    }
    *response->mutable_desired() = desired_;
    *response->mutable_next_synchronization_time() =
        TimeToProto(absl::Now() + absl::Seconds(10));
    *response->mutable_transmit_time() = TimeToProto(absl::Now());
    return grpc::Status::OK;
  }

  // Sets the desired state; later waits look only at requests after it.
  void SetDesired(const v1::DesiredState& desired) {
    absl::MutexLock lock(&mu_);
    desired_ = desired;
    since_ = requests_.size();
  }
  // Waits up to `timeout` for a request since the last SetDesired that
  // satisfies `done`; returns it.
  std::optional<v1::SynchronizeRequest> WaitFor(
      std::function<bool(const v1::SynchronizeRequest&)> done,
      absl::Duration timeout = absl::Seconds(30)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      {
        absl::MutexLock lock(&mu_);
        for (size_t i = since_; i < requests_.size(); ++i) {
          if (done(requests_[i])) return requests_[i];
        }
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    return std::nullopt;
  }
  std::vector<v1::WorkerResult> results() {
    absl::MutexLock lock(&mu_);
    return results_;
  }

 private:
  absl::Mutex mu_;
  v1::DesiredState desired_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::SynchronizeRequest> requests_ ABSL_GUARDED_BY(mu_);
  size_t since_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<v1::WorkerResult> results_ ABSL_GUARDED_BY(mu_);
};

// nginx processes whose command line names `needle`.
int ProcessesNaming(const std::string& needle) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)),
                        std::istreambuf_iterator<char>());
    if (cmdline.find(needle) != std::string::npos &&
        cmdline.find("daemon_test") == std::string::npos) {
      ++count;
    }
  }
  return count;
}

// Runs the worker binary with `args` to its end; its exit code and what it
// wrote on stderr.
struct Finished {
  int exit_code = -1;
  std::string err;
};
Finished RunWorker(const std::vector<std::string>& args,
                   const std::string& scratch) {
  const std::string err_path = scratch + "/worker.err";
  const pid_t pid = fork();
  if (pid == 0) {
    if (!freopen(err_path.c_str(), "w", stderr)) _exit(126);
    std::vector<char*> argv = {const_cast<char*>("scalebench-worker")};
    for (const std::string& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(SCALEBENCH_WORKER_BINARY, argv.data());
    _exit(127);
  }
  Finished finished;
  int status = 0;
  if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
    finished.exit_code = WEXITSTATUS(status);
  }
  std::ifstream in(err_path);
  finished.err.assign(std::istreambuf_iterator<char>(in),
                      std::istreambuf_iterator<char>());
  return finished;
}

TEST(DaemonTest, PreparesMeasuresDeliversAndStopsCleanly) {
  ScriptedCoordinator coordinator;
  v1::DesiredState idle;
  idle.mutable_idle();
  coordinator.SetDesired(idle);
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(&coordinator);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);

  std::string dir = ::testing::TempDir() + "/daemon-XXXXXX";
  const std::string state = mkdtemp(dir.data());
  chmod(state.c_str(), 0755);  // nginx's workers run as nobody.
  const pid_t worker = fork();
  ASSERT_GE(worker, 0);
  if (worker == 0) {
    // Should this test die (a ctest timeout), the worker is told to stop
    // too, and stops its targets: nothing is left running.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    const std::string coordinator_flag = absl::StrCat("127.0.0.1:", port);
    execl(SCALEBENCH_WORKER_BINARY, "scalebench-worker", "--coordinator",
          coordinator_flag.c_str(), "--name", "daemon-test", "--state-dir",
          state.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }

  // The first exchange of the session carries the host facts.
  std::optional<v1::SynchronizeRequest> first = coordinator.WaitFor(
      [](const v1::SynchronizeRequest& r) { return r.has_facts(); });
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->worker_id(), "daemon-test");
  EXPECT_GT(first->facts().environment().memory_bytes(), 0u);
  bool native = false;
  for (int p : first->facts().platforms()) native |= p == v1::PLATFORM_NATIVE;
  EXPECT_TRUE(native);
  // Each usable platform comes with the version of what runs it.
  EXPECT_EQ(first->facts().environment().versions().count("nginx"), 1u);

  v1::AttemptKey key;
  key.set_trial("experiments/e2e/trials/0");
  key.set_attempt(1);
  v1::DesiredState prepare;
  v1::DesiredState::Prepare* p = prepare.mutable_prepare();
  *p->mutable_key() = key;
  p->mutable_configuration()->set_platform(v1::PLATFORM_NATIVE);
  p->mutable_configuration()->set_vcpus(1);
  p->mutable_configuration()->set_keepalive(true);
  p->mutable_configuration()->set_connections(8);
  p->set_target_count(1);
  coordinator.SetDesired(prepare);
  std::optional<v1::SynchronizeRequest> ready = coordinator.WaitFor(
      [](const v1::SynchronizeRequest& r) { return r.current().has_ready(); });
  ASSERT_TRUE(ready.has_value());
  ASSERT_EQ(ready->current().ready().target_endpoints_size(), 1);
  // nginx's master names its prefix; its workers do not.
  EXPECT_EQ(ProcessesNaming("scalebench-daemon-test-t0"), 1);

  // A second worker on the held state dir (a run-trial under the same
  // name, which would "recover" the live target) is refused, names the
  // holder and touches nothing: the target still runs.
  const std::string scratch = state + "-scratch";
  std::filesystem::create_directories(scratch);
  {
    std::ofstream spec(scratch + "/spec.yaml");
    spec << "name: second\nloadgen: {duration: 1s}\n";
  }
  const Finished second =
      RunWorker({"run-trial", scratch + "/spec.yaml", "--name", "daemon-test",
                 "--state-dir", state},
                scratch);
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_NE(second.err.find(absl::StrCat("pid ", worker)), std::string::npos)
      << second.err;
  EXPECT_EQ(ProcessesNaming("scalebench-daemon-test-t0"), 1);
  std::filesystem::remove_all(scratch);

  v1::DesiredState measure;
  v1::DesiredState::Measure* m = measure.mutable_measure();
  *m->mutable_key() = key;
  m->mutable_load()->mutable_duration()->set_nanos(500'000'000);
  m->mutable_load()->set_threads(1);
  m->add_urls(ready->current().ready().target_endpoints(0));
  *m->mutable_start_time() = TimeToProto(absl::Now() + absl::Milliseconds(500));
  coordinator.SetDesired(measure);
  ASSERT_TRUE(coordinator
                  .WaitFor([](const v1::SynchronizeRequest& r) {
                    return r.current().has_finished();
                  })
                  .has_value());
  // Delivered (and acknowledged) on a following exchange.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (coordinator.results().empty() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  // A result is sent again on every call until acknowledged, so a call that
  // left before the first acknowledgement arrived may carry it once more:
  // every delivery is this attempt's.
  const std::vector<v1::WorkerResult> delivered = coordinator.results();
  ASSERT_FALSE(delivered.empty());
  for (const v1::WorkerResult& r : delivered) {
    EXPECT_EQ(r.key().trial(), key.trial());
    EXPECT_EQ(r.key().attempt(), key.attempt());
  }
  const v1::WorkerResult result = delivered[0];
  EXPECT_FALSE(result.has_failure()) << result.failure().reason();
  EXPECT_GT(result.loadgen().requests(), 0u);
  EXPECT_EQ(result.environment().pinning().count("target/0"), 1u);

  v1::DesiredState tear_down;
  *tear_down.mutable_tear_down()->mutable_key() = key;
  coordinator.SetDesired(tear_down);
  ASSERT_TRUE(coordinator
                  .WaitFor([](const v1::SynchronizeRequest& r) {
                    return r.current().has_idle();
                  })
                  .has_value());
  EXPECT_EQ(ProcessesNaming("scalebench-daemon-test-t0"), 0);

  kill(worker, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(worker, &status, 0), worker);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  // The spool is empty: the acknowledged result was removed.
  EXPECT_TRUE(std::filesystem::is_empty(state + "/spool"));
  server->Shutdown();
  std::filesystem::remove_all(state);
}

}  // namespace
}  // namespace scalebench::worker
