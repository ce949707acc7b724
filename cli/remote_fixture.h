// Test-only: a real CoordinatorService on 127.0.0.1:0 over a real store in
// a temp dir (its clock a FakeClock, so stored times are known), and
// cli::Main run against it as a user types commands, on a clock that
// steps to the deadline when a command sleeps (a watch reconnecting). The store
// is driven directly to move experiments along, as a scheduler would.
#ifndef SCALEBENCH_CLI_REMOTE_FIXTURE_H_
#define SCALEBENCH_CLI_REMOTE_FIXTURE_H_

#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "api/resource_names.h"
#include "cli/app.h"
#include "common/exit_codes.h"
#include "common/fake_clock.h"
#include "coordinator/rpc/coordinator_service.h"
#include "coordinator/rpc/worker_service.h"
#include "coordinator/store/stores.h"
#include "gtest/gtest.h"
#include "os/recording_env.h"

namespace scalebench::cli {

// A spec named t: `repetitions` of each of `instances` ("[1, 2]"), in
// order, one second of 10 connections each, then `more` (models: ...).
inline std::string SpecYaml(int repetitions, const std::string& instances,
                            const std::string& more = "") {
  return absl::StrCat("name: t\nrepetitions: ", repetitions,
                      "\norder: sequential\nseed: 7\nloadgen:\n"
                      "  duration: 1s\n  connections: 10\nsweep:\n"
                      "  instances: ",
                      instances, "\n", more);
}

inline const std::string kSpec = SpecYaml(2, "[1, 2]");

inline const absl::Time kCreated = absl::FromCivil(
    absl::CivilSecond(2026, 1, 2, 3, 4, 5), absl::UTCTimeZone());

class RemoteCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = ::testing::TempDir() + "/cli-XXXXXX";
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    dir_ = dir;
    absl::StatusOr<std::unique_ptr<coordinator::Stores>> store =
        coordinator::Stores::Open(dir_ + "/coordinator.db", &store_clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    registry_ = std::make_unique<coordinator::WorkerRegistry>(store_.get(),
                                                              Clock::Real());
    ASSERT_TRUE(registry_->Recover().ok());
    int port = 0;
    Serve("127.0.0.1:0", &port);
    ASSERT_NE(server_, nullptr);
    address_ = absl::StrCat("127.0.0.1:", port);
    spec_path_ = WriteFile("spec.yaml", kSpec);
  }

  // Starts a fresh service and server over the store on `listen`.
  void Serve(const std::string& listen, int* port,
             std::shared_ptr<grpc::ServerCredentials> credentials =
                 grpc::InsecureServerCredentials()) {
    coordinator::CoordinatorServiceOptions options;
    options.watch_poll_interval = absl::Milliseconds(10);
    service_ = std::make_unique<coordinator::CoordinatorServiceImpl>(
        store_.get(), registry_.get(), options);
    grpc::ServerBuilder builder;
    builder.AddListeningPort(listen, credentials, port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
  }

  // Stops the service and server as a coordinator going down does: open
  // watches end with UNAVAILABLE.
  void StopServing() {
    service_->Shutdown();
    server_->Shutdown();
    server_.reset();
    service_.reset();
  }
  void TearDown() override {
    registry_->Shutdown();
    if (server_ != nullptr) StopServing();
    registry_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // Runs `scalebench ARGS... --coordinator ADDRESS`.
  int Run(std::vector<std::string> args) {
    args.push_back("--coordinator");
    args.push_back(address_);
    return RunOffline(std::move(args));
  }
  int RunOffline(const std::vector<std::string>& args) {
    out_.str("");
    err_.str("");
    return Main(args, out_, err_, command_clock_);
  }

  // A native worker, w0, synchronizes with the coordinator, so that
  // submit finds a worker that can run kSpec. Idempotent.
  void JoinWorker() {
    v1::SynchronizeRequest request;
    request.set_worker_id("w0");
    request.set_session_id("s0");
    request.mutable_facts()->add_platforms(v1::PLATFORM_NATIVE);
    request.mutable_current()->mutable_idle();
    auto response = std::make_shared<v1::SynchronizeResponse>();
    registry_->Synchronize(request, absl::Now(), response.get(),
                           [response](absl::Status) {});
  }

  // Submits spec_path_ as exp-000001. No worker need be able to run it
  // (--allow-waiting): the tests store what workers would report.
  std::string Submit() {
    EXPECT_EQ(Run({"submit", spec_path_, "--allow-waiting"}), kExitOk)
        << err_.str();
    return api::ExperimentName("exp-000001");
  }

  int ExperimentCount() {
    absl::StatusOr<coordinator::ExperimentPage> page =
        store_->experiments().ListExperiments(0, "", v1::EXPERIMENT_VIEW_BASIC);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? static_cast<int>(page->experiments.size()) : -1;
  }

  // Starts attempt 1 of trial `n` of `experiment` (an id) and returns its
  // result with the key, configuration and repetition filled in, for the
  // test to add measurements to and Finish.
  v1::TrialResult StartResult(const std::string& experiment, int n) {
    const std::string trial = api::TrialName(experiment, n);
    v1::TrialResult result;
    absl::StatusOr<v1::Trial> stored = store_->trials().GetTrial(trial);
    absl::StatusOr<v1::Experiment> e = store_->experiments().GetExperiment(
        experiment, v1::EXPERIMENT_VIEW_FULL);
    EXPECT_TRUE(stored.ok()) << stored.status();
    EXPECT_TRUE(e.ok()) << e.status();
    if (!stored.ok() || !e.ok()) return result;
    google::protobuf::Map<std::string, std::string> placement;
    placement["loadgen/0"] = "workers/a";
    EXPECT_TRUE(store_->trials().StartAttempt(trial, placement).ok());
    result.mutable_key()->set_trial(trial);
    result.mutable_key()->set_attempt(1);
    *result.mutable_configuration() =
        e->configurations(stored->configuration_index());
    result.set_repetition(stored->repetition());
    return result;
  }

  // Stores `result` and ends its attempt and trial in success.
  void FinishResult(const v1::TrialResult& result) {
    ASSERT_TRUE(store_->results().StoreTrialResult(result).ok());
    ASSERT_TRUE(
        store_->trials().FinishAttempt(result.key(), std::nullopt).ok());
    ASSERT_TRUE(
        store_->trials()
            .SetTrialState(result.key().trial(), v1::TRIAL_STATE_SUCCEEDED, "")
            .ok());
  }

  // Runs trial `n` to success through the store, as the scheduler would.
  void SucceedTrial(int n) {
    const std::string trial = api::TrialName("exp-000001", n);
    google::protobuf::Map<std::string, std::string> placement;
    placement["target/0"] = "workers/a";
    ASSERT_TRUE(store_->trials().StartAttempt(trial, placement).ok());
    ASSERT_TRUE(store_->trials()
                    .SetTrialState(trial, v1::TRIAL_STATE_MEASURING,
                                   absl::StrCat("trial ", n, " measuring"))
                    .ok());
    v1::AttemptKey key;
    key.set_trial(trial);
    key.set_attempt(1);
    ASSERT_TRUE(store_->trials().FinishAttempt(key, std::nullopt).ok());
    ASSERT_TRUE(store_->trials()
                    .SetTrialState(trial, v1::TRIAL_STATE_SUCCEEDED,
                                   absl::StrCat("trial ", n, " succeeded"))
                    .ok());
  }

  FakeClock store_clock_{kCreated};
  // The commands' clock.
  os::SteppingClock command_clock_;
  std::string dir_;
  std::string spec_path_;
  std::unique_ptr<coordinator::Stores> store_;
  std::unique_ptr<coordinator::WorkerRegistry> registry_;
  std::unique_ptr<coordinator::CoordinatorServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  std::ostringstream out_;
  std::ostringstream err_;
};

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_REMOTE_FIXTURE_H_
