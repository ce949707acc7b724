#include "cli/run_command.h"

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <sstream>
#include <system_error>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "cli/client.h"
#include "cli/results_command.h"
#include "cli/submit_command.h"
#include "cli/watch_command.h"
#include "common/clock.h"
#include "common/exit_codes.h"
#include "common/grpc_status.h"
#include "common/stop_signals.h"
#include "coordinator/rpc/server.h"
#include "spec/spec_yaml.h"
#include "worker/agent/daemon.h"

namespace scalebench::cli {
namespace {

constexpr char kRunManual[] = R"(
Runs SPEC on this machine alone: a coordinator and a worker start in this
process (over a real gRPC channel on 127.0.0.1), the experiment's trials
run one after the other, a progress bar shows how far it is, and at the
end the results table and the model fits are printed. The store is
DATA_DIR/coordinator.db, so every run stays available:
  scalebench-coordinator --db DATA_DIR/coordinator.db   (then, elsewhere)
  scalebench status; scalebench results exp-000001 --output csv

A spec this machine cannot run (a platform or balancer it lacks, files
its targets could not reach) fails at once, before any trial starts, with
the reason; `scalebench-worker --coordinator ADDR` (run by `scalebench
run`) lists what this host cannot run and why.

Ctrl-C cancels the experiment, tears down what it started, and exits 1.
For several machines, run scalebench-coordinator and one scalebench-worker
per host, and use `scalebench submit` and `scalebench watch`.

Exit status: 0 the experiment succeeded, 1 it failed or was cancelled (or
the coordinator or worker could not start), 2 the spec or a flag is wrong
(nothing was started).

Example:
  scalebench run examples/quickstart.yaml
)";

constexpr char kWorkerName[] = "local";

// The last non-empty line of `text`.
std::string LastLine(const std::string& text) {
  std::string last;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::StripAsciiWhitespace(line).empty()) last = std::string(line);
  }
  return last;
}

// Cancels the experiment when SIGINT or SIGTERM arrives, or when asked;
// a cancel asked for before the experiment exists happens when it does.
class Canceller final {
 public:
  explicit Canceller(std::ostream& err) : err_(err) {
    thread_ = std::thread([this] { WaitForSignals(); });
  }
  ~Canceller() {
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
    }
    kill(getpid(), SIGTERM);  // Blocked everywhere: wakes the sigwait.
    thread_.join();
  }

  // The experiment to cancel, and where its coordinator listens.
  void Follow(const std::string& address, const std::string& name) {
    bool pending;
    {
      absl::MutexLock lock(&mu_);
      address_ = address;
      name_ = name;
      pending = pending_;
    }
    if (pending) Cancel();
  }

  // Cancels now, or as soon as the experiment is known.
  void Cancel() {
    std::string address, name;
    {
      absl::MutexLock lock(&mu_);
      if (name_.empty()) {
        pending_ = true;
        return;
      }
      address = address_;
      name = name_;
    }
    ClientFlags flags;
    flags.coordinator = address;
    absl::StatusOr<std::unique_ptr<CoordinatorClient>> client =
        CoordinatorClient::Connect(flags);
    if (!client.ok()) return;
    v1::CancelExperimentRequest request;
    request.set_name(name);
    v1::CancelExperimentResponse response;
    (void)(*client)->Call(&v1::CoordinatorService::Stub::CancelExperiment,
                          request, &response);
  }

 private:
  void WaitForSignals() {
    const sigset_t signals = StopSignals();
    while (true) {
      int signal_number = 0;
      sigwait(&signals, &signal_number);
      {
        absl::MutexLock lock(&mu_);
        if (done_) return;
      }
      err_ << "\nscalebench run: interrupted; cancelling the experiment and "
              "tearing down\n";
      Cancel();
    }
  }

  std::ostream& err_;
  absl::Mutex mu_;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool pending_ ABSL_GUARDED_BY(mu_) = false;
  std::string address_ ABSL_GUARDED_BY(mu_);
  std::string name_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace

void AddRunFlags(CLI::App& run, RunFlags* flags) {
  run.add_option("SPEC", flags->spec, "the experiment spec (YAML)")
      ->type_name("FILE")
      ->required();
  run.add_option("--data-dir", flags->data_dir,
                 "where the store and the worker's state live (default "
                 "./scalebench-data)")
      ->type_name("DIR");
  run.add_option("--runtime-dir", flags->runtime_dir,
                 "where the targets' configs, pages and pid files go "
                 "(default: DATA_DIR/worker when nginx's workers, as "
                 "nobody under root, can reach it, else a directory under "
                 "/run/scalebench, removed at the end)")
      ->type_name("DIR");
  run.add_flag("--wide", flags->wide,
               "the results table shows every factor as a column, as "
               "scalebench results --wide");
  run.footer(kRunManual);
}

int RunRun(const RunFlags& flags, const CommandEnv& env) {
  std::ostream& out = env.out;
  std::ostream& err = env.err;
  // Before any thread starts: the stop signals go to one sigwait.
  BlockStopSignals();
  // A wrong spec starts nothing.
  if (absl::StatusOr<v1::ExperimentSpec> spec = spec::ParseSpecFile(flags.spec);
      !spec.ok()) {
    err << "scalebench run: " << spec.status().message() << "\n";
    return kExitBadInput;
  }
  std::error_code error;
  std::filesystem::create_directories(flags.data_dir, error);
  if (error) {
    err << "scalebench run: --data-dir: cannot create " << flags.data_dir
        << ": " << error.message() << "\n";
    return kExitBadInput;
  }
  const std::string data_dir =
      std::filesystem::absolute(flags.data_dir).lexically_normal().string();
  Canceller canceller(err);

  coordinator::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.db = data_dir + "/coordinator.db";
  options.shutdown_grace = absl::Seconds(1);
  // No other worker can join: a spec this machine cannot run fails at
  // once, saying why, instead of waiting for a host that cannot come.
  options.scheduler.closed_cluster = true;
  absl::StatusOr<std::unique_ptr<coordinator::CoordinatorServer>> server =
      coordinator::CoordinatorServer::Start(options, &env.clock);
  if (!server.ok()) {
    err << "scalebench run: cannot start the coordinator: "
        << server.status().message() << "\n";
    return kExitRunFailed;
  }
  const std::string address = (*server)->address();

  worker::DaemonFlags worker_flags;
  worker_flags.coordinator = address;
  worker_flags.name = kWorkerName;
  worker_flags.state_dir = data_dir + "/worker";
  worker_flags.runtime_dir = flags.runtime_dir;
  // What this host cannot run is said when a spec needs it.
  worker_flags.log_unavailable = false;
  absl::Notification stop_worker;
  int worker_exit = kExitOk;
  std::thread worker([&] {
    worker_exit =
        worker::RunDaemonUntil(worker_flags, &env.clock, stop_worker, err);
    // A worker that gave up leaves nobody to run the trials.
    if (!stop_worker.HasBeenNotified()) canceller.Cancel();
  });
  auto stop = [&] {
    stop_worker.Notify();  // The worker tears down what it runs.
    worker.join();
    (*server)->Shutdown();
  };

  SubmitFlags submit;
  submit.client.coordinator = address;
  submit.spec = flags.spec;
  submit.check_workers = false;  // The scheduler's closed cluster checks.
  std::ostringstream submitted;
  if (int code = RunSubmit(submit, submitted, err); code != kExitOk) {
    stop();
    return code;
  }
  const std::string name = LastLine(submitted.str());
  out << "running " << name << " on this machine (store: " << options.db
      << ")\n";
  canceller.Follow(address, name);

  WatchFlags watch;
  watch.client.coordinator = address;
  watch.experiment = name;
  WatchOutput output;
  output.out = &out;
  output.terminal = env.terminal;
  const int watched = RunWatch(watch, output, env.clock, err);

  ResultsFlags results;
  results.client.coordinator = address;
  results.experiment = name;
  results.output = OutputFormat::kText;
  results.wide = flags.wide;
  out << "\n";
  const int shown = RunResults(results, out, err);
  stop();
  if (worker_exit != kExitOk) {
    err << "scalebench run: the worker could not run (exit " << worker_exit
        << ")\n";
    return kExitRunFailed;
  }
  return watched != kExitOk ? watched : shown;
}

}  // namespace scalebench::cli
