// The remote commands as a user types them (cli::Main), against a real
// CoordinatorService on 127.0.0.1:0 over a real store in a temp dir. The
// store is driven directly to move experiments along, as a scheduler would.
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/resource_names.h"
#include "cli/app.h"
#include "cli/remote_fixture.h"
#include "cli/watch_command.h"
#include "common/exit_codes.h"
#include "coordinator/store/stores_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::cli {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

TEST_F(RemoteCommandsTest, SubmitPrintsTheNameLastAndCreatesTheExperiment) {
  JoinWorker();
  ASSERT_EQ(Run({"submit", spec_path_}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(),
            "submitted t: 2 configurations, 4 trials, seed 7\n"
            "follow it with: scalebench watch experiments/exp-000001\n"
            "experiments/exp-000001\n");
  absl::StatusOr<v1::Experiment> stored = store_->experiments().GetExperiment(
      "exp-000001", v1::EXPERIMENT_VIEW_FULL);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->spec_source(), kSpec);
  EXPECT_EQ(stored->progress().trials_total(), 4u);
}

TEST_F(RemoteCommandsTest, SubmitWithARequestIdTwiceCreatesOneExperiment) {
  JoinWorker();
  ASSERT_EQ(Run({"submit", spec_path_, "--request-id", "r1"}), kExitOk);
  ASSERT_EQ(Run({"submit", spec_path_, "--request-id", "r1"}), kExitOk);
  EXPECT_THAT(out_.str(), EndsWith("\nexperiments/exp-000001\n"));
  EXPECT_EQ(ExperimentCount(), 1);
}

// Issue 27: a configuration the workers there could never run is refused
// at submit, naming it, what is missing and the workers; with
// --allow-waiting it is a warning and the experiment is created.
TEST_F(RemoteCommandsTest, SubmitRefusesWhatTheWorkersThereCannotRun) {
  JoinWorker();
  const std::string two_hosts =
      WriteFile("two-hosts.yaml", SpecYaml(1, "[2]", "  hosts: [2]\n"));
  EXPECT_EQ(Run({"submit", two_hosts}), kExitRunFailed);
  EXPECT_THAT(err_.str(), StartsWith("scalebench submit: the workers "
                                     "synchronizing now cannot run it"));
  EXPECT_THAT(err_.str(),
              HasSubstr("configuration 0 (platform=native instances=2 "));
  EXPECT_THAT(err_.str(),
              HasSubstr("needs 2 free hosts: 2 that run native; 1 found (1 "
                        "worker synchronizing: w0)"));
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(ExperimentCount(), 0);

  EXPECT_EQ(Run({"submit", two_hosts, "--allow-waiting"}), kExitOk)
      << err_.str();
  EXPECT_THAT(err_.str(), StartsWith("scalebench submit: warning: "));
  EXPECT_THAT(err_.str(), HasSubstr("1 found (1 worker synchronizing: w0)"));
  EXPECT_THAT(out_.str(), EndsWith("\nexperiments/exp-000001\n"));
  EXPECT_EQ(ExperimentCount(), 1);

  // What can run is submitted without a word on stderr.
  EXPECT_EQ(Run({"submit", spec_path_}), kExitOk);
  EXPECT_EQ(err_.str(), "");
}

// Issue 27: status says what each waiting trial waits for, one line per
// reason.
TEST_F(RemoteCommandsTest, StatusShowsWhatTheWaitingTrialsWaitFor) {
  const std::string name = Submit();
  store_->trials().SetWaiting(
      "exp-000001",
      {{"experiments/exp-000001/trials/0", "needs 2 free hosts; 1 found"},
       {"experiments/exp-000001/trials/1", "queued behind trial 0"},
       {"experiments/exp-000001/trials/2", "queued behind trial 0"}});
  ASSERT_EQ(Run({"status", name}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("\ntrial 0 waits: needs 2 free hosts; 1 "
                                    "found\ntrials 1, 2 wait: queued behind "
                                    "trial 0\n"));
  ASSERT_EQ(Run({"status", name, "--output", "json"}), kExitOk);
  EXPECT_THAT(out_.str(),
              HasSubstr("\"waiting_for\": \"queued behind trial 0\""));
}

TEST_F(RemoteCommandsTest, SpecErrorsExitTwoNamingTheLineAndCreateNothing) {
  struct Case {
    const char* what;
    std::string yaml;
    std::string message;
  };
  const Case cases[] = {
      {"unknown platform", "name: t\nsweep:\n  platform: [native, kvm]\n",
       "bad.yaml:3:22: sweep.platform[1]: 'kvm' is not one of"},
      {"negative count", "name: t\nrepetitions: -3\n",
       "bad.yaml:2:14: repetitions: '-3' is negative"},
      {"bad duration", "name: t\nloadgen:\n  duration: 3x\n",
       "bad.yaml:3:13: loadgen.duration: '3x' is not a duration"},
      {"misspelt key", "name: t\nloadgen:\n  conections: 10\n",
       "bad.yaml:3:3: loadgen.conections: unknown field (did you mean "
       "'connections'?)"},
      {"YAML syntax", "name: t\nsweep:\n  instances: [1, 2\n",
       "bad.yaml:4:1: invalid YAML"},
  };
  for (const Case& c : cases) {
    const std::string path = WriteFile("bad.yaml", c.yaml);
    EXPECT_EQ(Run({"submit", path}), kExitBadInput) << c.what;
    EXPECT_THAT(err_.str(), HasSubstr(c.message)) << c.what;
    EXPECT_THAT(out_.str(), IsEmpty()) << c.what;
    EXPECT_EQ(RunOffline({"validate", path}), kExitBadInput) << c.what;
    EXPECT_THAT(err_.str(), HasSubstr(c.message)) << c.what;
  }
  EXPECT_EQ(ExperimentCount(), 0);
}

TEST_F(RemoteCommandsTest, ServerRefusalOfASpecExitsTwo) {
  // The spec is valid locally; a spec the server refuses would be a
  // version skew. A request id reused with another spec stands in for it:
  // ALREADY_EXISTS blames the input too.
  JoinWorker();
  ASSERT_EQ(Run({"submit", spec_path_, "--request-id", "r1"}), kExitOk);
  const std::string other =
      WriteFile("other.yaml", "name: other\nloadgen:\n  duration: 1s\n");
  EXPECT_EQ(Run({"submit", other, "--request-id", "r1"}), kExitBadInput);
  EXPECT_THAT(err_.str(), StartsWith("scalebench submit: "));
  EXPECT_EQ(ExperimentCount(), 1);
}

TEST_F(RemoteCommandsTest, ValidatePrintsTheGridWithoutACoordinator) {
  ASSERT_EQ(RunOffline({"validate", spec_path_}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(),
            spec_path_ +
                ": valid, 2 configurations x 2 repetitions = 4 trials\n"
                "  0  platform=native instances=1 balancer=none hosts=1 "
                "vcpus=1 keepalive=true connections=10\n"
                "  1  platform=native instances=2 balancer=none hosts=1 "
                "vcpus=1 keepalive=true connections=10\n");
  EXPECT_EQ(ExperimentCount(), 0);
}

TEST_F(RemoteCommandsTest, AnUnreachableCoordinatorExitsOneSayingWhatToDo) {
  server_->Shutdown();
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"submit", spec_path_},
                                             {"status"},
                                             {"workers"},
                                             {"cancel", "exp-000001"},
                                             {"watch", "exp-000001"}}) {
    EXPECT_EQ(Run(args), kExitRunFailed) << args[0];
    EXPECT_THAT(err_.str(),
                HasSubstr("cannot reach the coordinator at " + address_ + ": "))
        << args[0];
    EXPECT_THAT(err_.str(), HasSubstr(", start it with scalebench-coordinator "
                                      "or set --coordinator"))
        << args[0];
  }
}

TEST_F(RemoteCommandsTest, PlaintextOffLoopbackIsRefusedBeforeAnyCall) {
  EXPECT_EQ(RunOffline({"status", "--coordinator", "192.0.2.1:7300"}),
            kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("give --ca, --cert and --key"));
}

TEST_F(RemoteCommandsTest, GlobalFlagsWorkBeforeAndAfterTheCommand) {
  Submit();
  EXPECT_EQ(RunOffline({"status", "--coordinator", address_, "-o", "json"}),
            kExitOk)
      << err_.str();
  const std::string after = out_.str();
  EXPECT_THAT(after, HasSubstr("\"experiments\""));
  EXPECT_EQ(RunOffline({"--coordinator", address_, "-o", "json", "status"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(out_.str(), after);
  EXPECT_EQ(RunOffline({"--output=json", "--coordinator=" + address_,
                        "schedule", "list"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(out_.str(), "{}\n");
}

TEST_F(RemoteCommandsTest, AGlobalFlagGivenBeforeAndAfterTakesTheOneAfter) {
  // As in git: the last one given wins. The one before the command names a
  // coordinator nobody runs; the one after is used.
  EXPECT_EQ(RunOffline({"--coordinator", "127.0.0.1:1", "-o", "json", "workers",
                        "--coordinator", address_}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(out_.str(), "{}\n");
  EXPECT_EQ(RunOffline({"--coordinator", address_, "workers", "--coordinator",
                        "127.0.0.1:1"}),
            kExitRunFailed);
  EXPECT_THAT(err_.str(), HasSubstr("cannot reach the coordinator at "
                                    "127.0.0.1:1"));
  // On one side a flag is still given once.
  EXPECT_EQ(RunOffline({"workers", "--coordinator", address_, "--coordinator",
                        address_}),
            kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("--coordinator: given more than once"));
}

TEST_F(RemoteCommandsTest, StatusListsExperiments) {
  EXPECT_EQ(Run({"status"}), kExitOk);
  EXPECT_EQ(out_.str(),
            "no experiments; submit one with: scalebench submit SPEC\n");
  Submit();
  EXPECT_EQ(Run({"status"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(),
            "NAME                    SPEC  STATE    OK/FAILED/TOTAL  CREATED\n"
            "experiments/exp-000001  t     pending  0/0/4            "
            "2026-01-02T03:04:05Z\n");
}

TEST_F(RemoteCommandsTest, StatusOfOneExperimentShowsEveryTrialAndAttempt) {
  Submit();
  const std::string trial = api::TrialName("exp-000001", 0);
  google::protobuf::Map<std::string, std::string> placement;
  placement["target/0"] = "workers/a";
  placement["loadgen/0"] = "workers/b";
  ASSERT_TRUE(store_->trials().StartAttempt(trial, placement).ok());
  coordinator::FailTargetStart(*store_, trial, 1, "nginx exited (1)");
  ASSERT_TRUE(store_->trials().StartAttempt(trial, placement).ok());

  // The short id and the full name are the same argument.
  for (const char* argument : {"exp-000001", "experiments/exp-000001"}) {
    ASSERT_EQ(Run({"status", argument}), kExitOk) << err_.str();
    const std::string out = out_.str();
    EXPECT_THAT(out, StartsWith("experiments/exp-000001 (t): running\n"
                                "trials: 0 succeeded, 0 failed, 1 running, 4 "
                                "in all\n"));
    EXPECT_THAT(out, HasSubstr("\nTRIAL  CONFIGURATION"));
    EXPECT_THAT(
        out,
        HasSubstr("\n0      platform=native instances=1 balancer=none hosts=1 "
                  "vcpus=1 keepalive=true connections=10  preparing  attempt "
                  "1 failed (target_start: nginx exited (1)) on "
                  "loadgen/0=workers/b target/0=workers/a; attempt 2 running "
                  "on loadgen/0=workers/b target/0=workers/a\n"));
    EXPECT_THAT(
        out,
        HasSubstr("\n3      platform=native instances=2 balancer=none hosts=1 "
                  "vcpus=1 keepalive=true connections=10  queued     -\n"));
  }
  EXPECT_EQ(Run({"status", "exp-000009"}), kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("exp-000009"));
  EXPECT_EQ(Run({"status", "trials/1"}), kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("EXPERIMENT 'trials/1' is not an"));
}

// Issue 25: the trials of a large experiment come in pages; status shows
// them all.
TEST_F(RemoteCommandsTest, StatusShowsTheTrialsOfEveryPage) {
  // 2 instances x 600 connections levels = 1200 trials: two pages.
  std::string connections;
  for (int c = 1; c <= 600; ++c) absl::StrAppend(&connections, c, ",");
  connections.pop_back();
  const std::string spec = WriteFile(
      "large.yaml",
      absl::StrCat("name: large\nseed: 1\nloadgen:\n  duration: 1s\nsweep:\n"
                   "  instances: [1, 2]\n  connections: [",
                   connections, "]\n"));
  JoinWorker();
  ASSERT_EQ(Run({"submit", spec}), kExitOk) << err_.str();
  ASSERT_EQ(Run({"status", "exp-000001"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("1200 in all"));
  EXPECT_THAT(out_.str(), HasSubstr("\n999    platform=native"));
  EXPECT_THAT(out_.str(), HasSubstr("\n1199   platform=native"));

  ASSERT_EQ(Run({"status", "exp-000001", "--output", "json"}), kExitOk);
  EXPECT_THAT(out_.str(),
              HasSubstr("\"name\": \"experiments/exp-000001/trials/1199\""));
  EXPECT_THAT(out_.str(), ::testing::Not(HasSubstr("next_page_token")));
}

TEST_F(RemoteCommandsTest, StatusJsonIsTheApiResponse) {
  Submit();
  ASSERT_EQ(Run({"status", "exp-000001", "--output", "json"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("\"name\": \"experiments/exp-000001\""));
  EXPECT_THAT(out_.str(), HasSubstr("\"state\": \"EXPERIMENT_STATE_PENDING\""));
  EXPECT_THAT(out_.str(),
              HasSubstr("\"name\": \"experiments/exp-000001/trials/3\""));
}

TEST_F(RemoteCommandsTest, WorkersListsEveryKnownWorker) {
  EXPECT_EQ(Run({"workers"}), kExitOk);
  EXPECT_THAT(out_.str(), StartsWith("no workers; start scalebench-worker"));
  v1::HostFacts facts;
  facts.add_cpus(0);
  facts.add_cpus(1);
  facts.add_platforms(v1::PLATFORM_NATIVE);
  facts.add_platforms(v1::PLATFORM_DOCKER);
  ASSERT_TRUE(
      store_->workers().UpsertWorker("host-a", "s1", facts, kCreated).ok());
  ASSERT_TRUE(
      store_->workers()
          .UpsertWorker("b", "s2", v1::HostFacts(), kCreated + absl::Seconds(1))
          .ok());
  ASSERT_EQ(Run({"workers"}), kExitOk) << err_.str();
  EXPECT_EQ(
      out_.str(),
      "NAME            STATUS  CPUS  PLATFORMS      LAST SEEN             "
      "CLOCK OFFSET  ROUND TRIP\n"
      "workers/b       idle    0     -              2026-01-02T03:04:06Z  "
      "-             -\n"
      "workers/host-a  idle    2     native,docker  2026-01-02T03:04:05Z  "
      "-             -\n");
}

TEST_F(RemoteCommandsTest, WorkersSaysWhichXenADom0Runs) {
  v1::HostFacts facts;
  facts.add_cpus(0);
  facts.add_platforms(v1::PLATFORM_NATIVE);
  facts.add_platforms(v1::PLATFORM_XEN);
  facts.mutable_xen()->set_version("4.17.7");
  facts.mutable_xen()->set_nr_cpus(2);
  facts.mutable_xen()->set_free_memory_mb(1011);
  ASSERT_TRUE(
      store_->workers().UpsertWorker("xh1", "s1", facts, kCreated).ok());
  ASSERT_EQ(Run({"workers"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(),
              HasSubstr(" native,xen (4.17.7, 2 cpus, 1011 MiB free) "));
}

TEST_F(RemoteCommandsTest, CancelPrintsTheResultingState) {
  Submit();
  ASSERT_EQ(Run({"cancel", "exp-000001"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(),
            "experiments/exp-000001: cancelled: cancelled by "
            "request\n");
  // Idempotent.
  ASSERT_EQ(Run({"cancel", "experiments/exp-000001"}), kExitOk);
  EXPECT_EQ(Run({"cancel", "exp-000002"}), kExitBadInput);
}

TEST_F(RemoteCommandsTest, CancelWithATrialRunningSaysItIsCancelling) {
  Submit();
  google::protobuf::Map<std::string, std::string> placement;
  ASSERT_TRUE(store_->trials()
                  .StartAttempt(api::TrialName("exp-000001", 0), placement)
                  .ok());
  ASSERT_EQ(Run({"cancel", "exp-000001"}), kExitOk) << err_.str();
  // The scheduler tears the running trial down, then cancels the rest.
  EXPECT_EQ(out_.str(),
            "experiments/exp-000001: cancelling: cancel requested; running "
            "trials are being torn down\n");
}

TEST_F(RemoteCommandsTest, WatchEndsWithZeroWhenTheExperimentSucceeded) {
  Submit();
  for (int n = 0; n < 4; ++n) SucceedTrial(n);
  ASSERT_TRUE(
      store_->experiments()
          .SetExperimentState("exp-000001", v1::EXPERIMENT_STATE_SUCCEEDED, "")
          .ok());
  ASSERT_EQ(Run({"watch", "exp-000001"}), kExitOk) << err_.str();
  const std::string out = out_.str();
  EXPECT_THAT(out, StartsWith("[0/4] experiment created: 2 configurations x 2 "
                              "repetitions = 4 trials\n"
                              "[0/4] trial 0 attempt 1 started\n"
                              "[0/4] trial 0 measuring\n"));
  EXPECT_THAT(out, HasSubstr("\n[1/4] trial 0 succeeded\n"));
  EXPECT_THAT(out, HasSubstr("\n[4/4] trial 3 succeeded\n"));
  EXPECT_THAT(out, EndsWith("\n[4/4] experiment EXPERIMENT_STATE_SUCCEEDED\n"
                            "experiments/exp-000001 succeeded: 4 of 4 trials "
                            "succeeded, 0 failed\n"));
  EXPECT_THAT(err_.str(), IsEmpty());
}

TEST_F(RemoteCommandsTest, WatchEndsWithOneAndTheReasonWhenItFailed) {
  Submit();
  ASSERT_TRUE(store_->experiments()
                  .SetExperimentState("exp-000001", v1::EXPERIMENT_STATE_FAILED,
                                      "trial 0 failed all 3 attempts")
                  .ok());
  EXPECT_EQ(Run({"watch", "experiments/exp-000001"}), kExitRunFailed);
  EXPECT_THAT(out_.str(), EndsWith("[0/4] trial 0 failed all 3 attempts\n"));
  EXPECT_EQ(err_.str(),
            "scalebench watch: experiments/exp-000001 failed: 0 of 4 trials "
            "succeeded, 0 failed: trial 0 failed all 3 attempts\n");
}

TEST_F(RemoteCommandsTest, WatchFollowsALiveExperimentToItsEnd) {
  Submit();
  int exit_code = -1;
  std::ostringstream out, err;
  std::thread watcher([&] {
    exit_code = Main({"watch", "exp-000001", "--coordinator", address_}, out,
                     err, command_clock_);
  });
  // Watch has seen the first event once the service holds its stream.
  while (service_->TEST_OpenWatches() == 0)
    absl::SleepFor(absl::Milliseconds(5));
  SucceedTrial(0);
  ASSERT_TRUE(store_->experiments()
                  .SetExperimentState("exp-000001",
                                      v1::EXPERIMENT_STATE_CANCELLED,
                                      "cancelled by request")
                  .ok());
  watcher.join();
  EXPECT_EQ(exit_code, kExitRunFailed);
  EXPECT_THAT(out.str(), HasSubstr("\n[1/4] trial 0 succeeded\n"));
  EXPECT_EQ(err.str(),
            "scalebench watch: experiments/exp-000001 cancelled: 1 of 4 "
            "trials succeeded, 0 failed: cancelled by request\n");
}

TEST_F(RemoteCommandsTest, WatchSurvivesACoordinatorRestartAndMissesNothing) {
  Submit();
  WatchFlags flags;
  flags.client.coordinator = address_;
  flags.experiment = "exp-000001";
  std::ostringstream out, err;
  WatchOptions options;  // Short pauses: this test waits in real time.
  options.first_backoff = absl::Milliseconds(10);
  options.max_backoff = absl::Milliseconds(50);
  int exit_code = -1;
  std::thread watcher([&] {
    exit_code = RunWatch(flags, {&out, false}, *Clock::Real(), err, options);
  });
  while (service_->TEST_OpenWatches() == 0) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  StopServing();
  // Events the watcher cannot see while the coordinator is down.
  SucceedTrial(0);
  SucceedTrial(1);
  int port = 0;
  Serve(address_, &port);
  ASSERT_NE(server_, nullptr) << "cannot listen on " << address_ << " again";
  SucceedTrial(2);
  SucceedTrial(3);
  ASSERT_TRUE(
      store_->experiments()
          .SetExperimentState("exp-000001", v1::EXPERIMENT_STATE_SUCCEEDED, "")
          .ok());
  watcher.join();
  EXPECT_EQ(exit_code, kExitOk) << err.str();
  const std::string text = out.str();
  // Every event exactly once, in order, with one line for the outage.
  EXPECT_THAT(text, StartsWith("[0/4] experiment created: 2 configurations x "
                               "2 repetitions = 4 trials\n"
                               "coordinator unavailable, reconnecting...\n"
                               "[0/4] trial 0 attempt 1 started\n"));
  for (const char* line :
       {"experiment created", "coordinator unavailable",
        "[1/4] trial 0 succeeded\n", "[2/4] trial 1 succeeded\n",
        "[3/4] trial 2 succeeded\n", "[4/4] trial 3 succeeded\n"}) {
    const size_t first = text.find(line);
    EXPECT_NE(first, std::string::npos) << line;
    if (first != std::string::npos) {
      EXPECT_EQ(text.find(line, first + 1), std::string::npos) << line;
    }
  }
  EXPECT_THAT(text, EndsWith("experiments/exp-000001 succeeded: 4 of 4 "
                             "trials succeeded, 0 failed\n"));
}

}  // namespace
}  // namespace scalebench::cli
