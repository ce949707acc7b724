// coordinator_scale: the real scalebench-coordinator binary in a child
// process, N simulated workers (tests/scale/simulated_workers.h) in this
// one. Measures the coordinator's CPU (utime + stime from /proc/PID/stat)
// and memory (VmRSS, VmHWM) while the workers idle-poll and while they run
// a sweep of 3N one-second trials, and the workers' Synchronize latencies;
// checks that the sweep ends with every trial succeeded exactly once.
// Prints one JSON line; exits 1 when a check or a --max-* bound fails.
//
// Usage: coordinator_scale --coordinator-bin PATH [--workers 1000]
//   [--idle-seconds 20] [--max-idle-cores X] [--max-p99-ms X]
//   [--max-sweep-p99-ms X]
// --max-p99-ms bounds the idle phase's Synchronize latency (how late past
// the hold a held call is answered: the store write, the timer, the
// transport); --max-sweep-p99-ms the round trip of the sweep's
// result-carrying calls, which wait for the store behind the scheduler.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/free_ports.h"
#include "scalebench/v1/coordinator.grpc.pb.h"
#include "spec/spec_yaml.h"
#include "tests/scale/simulated_workers.h"

namespace scalebench::scale {
namespace {

struct Flags {
  std::string coordinator_bin;
  int workers = 1000;
  int idle_seconds = 20;
  double max_idle_cores = -1;
  double max_p99_ms = -1;
  double max_sweep_p99_ms = -1;
};

bool ParseFlags(int argc, char** argv, Flags& flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "coordinator_scale: " << arg << " needs a value\n";
      return false;
    }
    const std::string value = argv[++i];
    bool ok = true;
    if (arg == "--coordinator-bin") {
      flags.coordinator_bin = value;
    } else if (arg == "--workers") {
      ok = absl::SimpleAtoi(value, &flags.workers) && flags.workers > 0;
    } else if (arg == "--idle-seconds") {
      ok = absl::SimpleAtoi(value, &flags.idle_seconds) &&
           flags.idle_seconds > 0;
    } else if (arg == "--max-idle-cores") {
      ok = absl::SimpleAtod(value, &flags.max_idle_cores);
    } else if (arg == "--max-p99-ms") {
      ok = absl::SimpleAtod(value, &flags.max_p99_ms);
    } else if (arg == "--max-sweep-p99-ms") {
      ok = absl::SimpleAtod(value, &flags.max_sweep_p99_ms);
    } else {
      std::cerr << "coordinator_scale: unknown flag " << arg << "\n";
      return false;
    }
    if (!ok) {
      std::cerr << "coordinator_scale: bad value for " << arg << ": '" << value
                << "'\n";
      return false;
    }
  }
  if (flags.coordinator_bin.empty()) {
    std::cerr << "coordinator_scale: --coordinator-bin is required\n";
    return false;
  }
  return true;
}

// The coordinator child; killed (SIGTERM, then SIGKILL) when this ends.
class Child {
 public:
  Child(const std::string& bin, const std::string& listen,
        const std::string& dir) {
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      const std::string log = dir + "/coordinator.log";
      FILE* out = std::fopen(log.c_str(), "w");
      if (out != nullptr) {
        dup2(fileno(out), 1);
        dup2(fileno(out), 2);
      }
      const std::string db = dir + "/c.db";
      execl(bin.c_str(), bin.c_str(), "--listen", listen.c_str(), "--db",
            db.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~Child() { Stop(); }
  pid_t pid() const { return pid_; }
  // SIGTERM, 10 s, SIGKILL. Returns the wait status.
  int Stop() {
    if (pid_ <= 0) return status_;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, &status_, WNOHANG) == pid_) {
        pid_ = -1;
        return status_;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
    pid_ = -1;
    return status_;
  }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

// utime + stime of `pid`, seconds.
double CpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  // Fields after the ")" that closes the command name; utime is field 14.
  std::istringstream rest(text.substr(text.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A /proc/PID/status field in kB (VmRSS, VmHWM).
long StatusKb(pid_t pid, const std::string& key) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0)
      return std::atol(line.c_str() + key.size() + 1);
  }
  return -1;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

int Run(const Flags& flags) {
  char dir_template[] = "/tmp/sb-scale.XXXXXX";
  if (mkdtemp(dir_template) == nullptr) {
    std::cerr << "coordinator_scale: mkdtemp failed\n";
    return 1;
  }
  const std::string dir = dir_template;
  absl::StatusOr<std::vector<uint16_t>> ports = FreePorts("127.0.0.1", 1);
  if (!ports.ok()) {
    std::cerr << "coordinator_scale: " << ports.status() << "\n";
    return 1;
  }
  const std::string address = absl::StrCat("127.0.0.1:", (*ports)[0]);
  std::vector<std::string> problems;
  std::string json;
  {
    Child coordinator(flags.coordinator_bin, address, dir);
    auto channel =
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    if (!channel->WaitForConnected(
            absl::ToChronoTime(absl::Now() + absl::Seconds(20)))) {
      std::cerr << "coordinator_scale: the coordinator did not listen on "
                << address << " (see " << dir << "/coordinator.log)\n";
      return 1;
    }
    auto api = v1::CoordinatorService::NewStub(channel);

    // Registration: every worker's first exchange, then one hold so that
    // all are in their steady long poll.
    SimulatedWorkers workers(address, flags.workers, absl::Seconds(5));
    workers.Start();
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    int registered = 0;
    while (absl::Now() < give_up) {
      grpc::ClientContext context;
      v1::ListWorkersResponse list;
      if (api->ListWorkers(&context, v1::ListWorkersRequest(), &list).ok()) {
        registered = list.workers_size();
      }
      if (registered >= flags.workers) break;
      absl::SleepFor(absl::Milliseconds(500));
    }
    if (registered < flags.workers) {
      problems.push_back(absl::StrCat("only ", registered, " of ",
                                      flags.workers, " workers registered"));
    }
    absl::SleepFor(absl::Seconds(6));

    // Idle.
    workers.set_phase(1);
    const pid_t pid = coordinator.pid();
    const double idle_cpu0 = CpuSeconds(pid);
    const absl::Time idle_t0 = absl::Now();
    absl::SleepFor(absl::Seconds(flags.idle_seconds));
    const double idle_cores = (CpuSeconds(pid) - idle_cpu0) /
                              absl::ToDoubleSeconds(absl::Now() - idle_t0);
    const long idle_rss = StatusKb(pid, "VmRSS");

    // The sweep: 3 configurations x N repetitions of 1 s each.
    workers.set_phase(2);
    const std::string yaml = absl::StrCat(
        "name: scale\nrepetitions: ", flags.workers,
        "\nloadgen:\n  connections: 1\n  duration: 1s\n"
        "sweep:\n  instances: [1, 2, 3]\ntimeouts:\n  start_lead: 1s\n");
    const int expected = 3 * flags.workers;
    absl::StatusOr<v1::ExperimentSpec> spec =
        spec::ParseSpecYaml(yaml, "scale.yaml");
    if (!spec.ok()) {
      std::cerr << "coordinator_scale: " << spec.status() << "\n";
      return 1;
    }
    v1::CreateExperimentRequest create;
    *create.mutable_spec() = *spec;
    create.set_spec_source(yaml);
    v1::CreateExperimentResponse created;
    const double sweep_cpu0 = CpuSeconds(pid);
    const absl::Time sweep_t0 = absl::Now();
    {
      grpc::ClientContext context;
      grpc::Status s = api->CreateExperiment(&context, create, &created);
      if (!s.ok()) {
        std::cerr << "coordinator_scale: CreateExperiment: "
                  << s.error_message() << "\n";
        return 1;
      }
    }
    const std::string name = created.experiment().name();
    v1::ExperimentState state = v1::EXPERIMENT_STATE_PENDING;
    const absl::Time sweep_give_up = absl::Now() + absl::Seconds(120);
    while (absl::Now() < sweep_give_up) {
      grpc::ClientContext context;
      v1::GetExperimentRequest get;
      get.set_name(name);
      v1::GetExperimentResponse got;
      if (api->GetExperiment(&context, get, &got).ok()) {
        state = got.experiment().state();
        if (state == v1::EXPERIMENT_STATE_SUCCEEDED ||
            state == v1::EXPERIMENT_STATE_FAILED ||
            state == v1::EXPERIMENT_STATE_CANCELLED) {
          break;
        }
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
    const double sweep_seconds = absl::ToDoubleSeconds(absl::Now() - sweep_t0);
    const double sweep_cores = (CpuSeconds(pid) - sweep_cpu0) / sweep_seconds;
    const long hwm = StatusKb(pid, "VmHWM");
    const long sweep_rss = StatusKb(pid, "VmRSS");
    if (state != v1::EXPERIMENT_STATE_SUCCEEDED) {
      problems.push_back(
          absl::StrCat("the sweep ended ", v1::ExperimentState_Name(state)));
    }

    // Exact counts: the store's trials, and the exported results.
    int succeeded = 0, attempts = 0;
    {
      // The trials come in pages.
      int trials = 0;
      v1::GetExperimentRequest get;
      get.set_name(name);
      get.set_view(v1::EXPERIMENT_VIEW_FULL);
      do {
        grpc::ClientContext context;
        v1::GetExperimentResponse got;
        grpc::Status s = api->GetExperiment(&context, get, &got);
        if (!s.ok()) {
          problems.push_back("GetExperiment FULL: " + s.error_message());
          break;
        }
        for (const v1::Trial& trial : got.trials()) {
          succeeded += trial.state() == v1::TRIAL_STATE_SUCCEEDED;
          attempts += trial.attempts_size();
        }
        trials += got.trials_size();
        get.set_page_token(got.next_page_token());
      } while (!get.page_token().empty());
      if (trials != expected) {
        problems.push_back(absl::StrCat(trials, " trials, not ", expected));
      }
    }
    std::set<std::string> exported_trials;
    int exported = 0;
    {
      grpc::ClientContext context;
      v1::ExportResultsRequest request;
      request.set_name(name);
      auto reader = api->ExportResults(&context, request);
      v1::ExportResultsResponse page;
      while (reader->Read(&page)) {
        for (const v1::TrialResult& r : page.results()) {
          ++exported;
          exported_trials.insert(r.key().trial());
        }
      }
      grpc::Status s = reader->Finish();
      if (!s.ok()) problems.push_back("ExportResults: " + s.error_message());
    }
    if (succeeded != expected) {
      problems.push_back(
          absl::StrCat(succeeded, " trials succeeded, not ", expected));
    }
    if (attempts != expected) {
      problems.push_back(absl::StrCat(attempts, " attempts, not ", expected,
                                      " (a trial ran more than once)"));
    }
    if (exported != expected ||
        static_cast<int>(exported_trials.size()) != expected) {
      problems.push_back(absl::StrCat(exported, " exported results of ",
                                      exported_trials.size(),
                                      " distinct trials, not ", expected));
    }

    workers.Stop();
    const int stop_status = coordinator.Stop();
    if (!WIFEXITED(stop_status) || WEXITSTATUS(stop_status) != 0) {
      problems.push_back("the coordinator did not exit cleanly on SIGTERM");
    }

    const SyncSamples idle = workers.Samples(1);
    const SyncSamples sweep = workers.Samples(2);
    const double answered_p50 = Percentile(sweep.answered_ms, 0.5);
    const double answered_p99 = Percentile(sweep.answered_ms, 0.99);
    const double overrun_p99 = Percentile(idle.hold_overrun_ms, 0.99);
    json = absl::StrFormat(
        "{\"workers\": %d, \"idle_cores\": %.4f, \"idle_rss_kb\": %d, "
        "\"sweep_cores\": %.4f, \"sweep_rss_kb\": %d, \"hwm_kb\": %d, "
        "\"sweep_seconds\": %.1f, \"trials\": %d, \"succeeded\": %d, "
        "\"attempts\": %d, \"exported\": %d, \"answered_calls\": %d, "
        "\"answered_p50_ms\": %.2f, \"answered_p99_ms\": %.2f, "
        "\"answered_server_p50_ms\": %.2f, "
        "\"answered_server_p99_ms\": %.2f, "
        "\"answered_uplink_p50_ms\": %.2f, "
        "\"answered_uplink_p99_ms\": %.2f, "
        "\"reaction_p50_ms\": %.2f, \"reaction_p99_ms\": %.2f, "
        "\"idle_hold_overrun_p50_ms\": %.2f, "
        "\"idle_hold_overrun_p99_ms\": %.2f, \"idle_calls\": %d, "
        "\"errors\": %d}",
        flags.workers, idle_cores, idle_rss, sweep_cores, sweep_rss, hwm,
        sweep_seconds, expected, succeeded, attempts, exported,
        sweep.answered_ms.size(), answered_p50, answered_p99,
        Percentile(sweep.answered_server_ms, 0.5),
        Percentile(sweep.answered_server_ms, 0.99),
        Percentile(sweep.answered_uplink_ms, 0.5),
        Percentile(sweep.answered_uplink_ms, 0.99),
        Percentile(sweep.reaction_ms, 0.5), Percentile(sweep.reaction_ms, 0.99),
        Percentile(idle.hold_overrun_ms, 0.5), overrun_p99,
        idle.hold_overrun_ms.size(), idle.errors + sweep.errors);
    if (flags.max_idle_cores >= 0 && idle_cores >= flags.max_idle_cores) {
      problems.push_back(absl::StrFormat("idle CPU %.3f cores >= %.3f",
                                         idle_cores, flags.max_idle_cores));
    }
    if (flags.max_sweep_p99_ms >= 0 &&
        (sweep.answered_ms.empty() || answered_p99 >= flags.max_sweep_p99_ms)) {
      problems.push_back(absl::StrFormat(
          "sweep: answered Synchronize p99 %.1f ms >= %.1f ms (%d calls)",
          answered_p99, flags.max_sweep_p99_ms, sweep.answered_ms.size()));
    }
    if (flags.max_p99_ms >= 0) {
      if (idle.hold_overrun_ms.empty() || overrun_p99 >= flags.max_p99_ms) {
        problems.push_back(absl::StrFormat(
            "idle hold overrun p99 %.1f ms >= %.1f ms (%d calls)", overrun_p99,
            flags.max_p99_ms, idle.hold_overrun_ms.size()));
      }
    }
  }
  std::cout << json << std::endl;
  for (const std::string& p : problems) {
    std::cerr << "coordinator_scale: FAILED: " << p << "\n";
  }
  if (problems.empty())
    std::filesystem::remove_all(dir);
  else
    std::cerr << "coordinator_scale: kept " << dir << "\n";
  return problems.empty() ? 0 : 1;
}

}  // namespace
}  // namespace scalebench::scale

int main(int argc, char** argv) {
  scalebench::scale::Flags flags;
  if (!scalebench::scale::ParseFlags(argc, argv, flags)) return 2;
  return scalebench::scale::Run(flags);
}
