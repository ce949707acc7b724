#include "cli/watch_command.h"

#include <map>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/resource_names.h"
#include "cli/output.h"
#include "cli/status_command.h"
#include "common/exit_codes.h"
#include "common/grpc_status.h"

namespace scalebench::cli {
namespace {

constexpr char kWatchManual[] =
    R"(Follows the experiment until it ends. On a terminal, one line redrawn in
place: trials done/total, what the running trials are doing (preparing,
measuring, collecting) and the estimated time left once a trial has
finished. Otherwise one line per event, for logs:

  [3/12] trial 4 attempt 1 started on target/0=workers/a ...

When the experiment starts to wait for something no worker synchronizing
now offers (a platform, a balancer, another host), a line says so, naming
what is missing and the workers there are, followed by what each queued
trial waits for, one line per reason:

  [0/6] waiting: trial experiments/exp-000002/trials/3: needs 3 free
  hosts: ...; 2 found (2 workers synchronizing: h1, h2)
    trial 3 waits: needs 3 free hosts: ...; 2 found (...: h1, h2)
    trials 0, 1 wait: queued behind trial 3, which the workers ...

A reason is printed when it appears or changes, not again.

When the coordinator goes away (restarted, network down), watch prints
"coordinator unavailable, reconnecting...", retries with a growing pause (up
to 10 s) and resumes after the last event it showed, as long as the
experiment has not ended; it gives up after 10 minutes without an answer.

EXPERIMENT is the name submit printed (experiments/exp-000001) or its id.

Exit status: 0 the experiment succeeded; 1 it failed or was cancelled (the
reason is printed), or the coordinator could not be reached; 2 EXPERIMENT is
wrong or unknown.

)";

constexpr int kBarWidth = 24;

// WatchSource over the coordinator's RPCs.
class GrpcEventStream final : public EventStream {
 public:
  GrpcEventStream(v1::CoordinatorService::Stub& stub,
                  const v1::WatchExperimentRequest& request) {
    reader_ = stub.WatchExperiment(&context_, request);
  }
  ~GrpcEventStream() override {
    if (finished_) return;
    context_.TryCancel();
    v1::WatchExperimentResponse ignored;
    while (reader_->Read(&ignored)) {
    }
    (void)reader_->Finish();
  }

  bool Next(v1::ExperimentEvent* event) override {
    v1::WatchExperimentResponse response;
    if (!reader_->Read(&response)) return false;
    *event = std::move(*response.mutable_event());
    return true;
  }
  absl::Status Finish() override {
    finished_ = true;
    return FromGrpcStatus(reader_->Finish());
  }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::WatchExperimentResponse>> reader_;
  bool finished_ = false;
};

class GrpcWatchSource final : public WatchSource {
 public:
  explicit GrpcWatchSource(CoordinatorClient& client) : client_(client) {}

  absl::StatusOr<v1::Experiment> Get(const std::string& name) override {
    return client_.GetExperiment(name, v1::EXPERIMENT_VIEW_UNSPECIFIED);
  }
  std::unique_ptr<EventStream> Open(const std::string& name,
                                    uint64_t after_sequence) override {
    v1::WatchExperimentRequest request;
    request.set_name(name);
    request.set_after_sequence(after_sequence);
    return std::make_unique<GrpcEventStream>(client_.stub(), request);
  }

 private:
  CoordinatorClient& client_;
};

uint32_t Done(const v1::Experiment::Progress& p) {
  return p.trials_succeeded() + p.trials_failed();
}

class LineView final : public WatchView {
 public:
  explicit LineView(std::ostream& out) : out_(out) {}
  void Event(const v1::ExperimentEvent& event) override {
    const v1::Experiment& e = event.experiment();
    out_ << "[" << Done(e.progress()) << "/" << e.progress().trials_total()
         << "] "
         << (event.message().empty()
                 ? absl::StrCat("experiment ", StateName(e.state()))
                 : event.message())
         << "\n";
    out_.flush();
  }
  void Reconnecting(const absl::Status&) override {
    out_ << "coordinator unavailable, reconnecting...\n";
    out_.flush();
  }
  void Reconnected() override {}

 private:
  std::ostream& out_;
};

class BarView final : public WatchView {
 public:
  explicit BarView(std::ostream& out) : out_(out) {}
  ~BarView() override {
    if (drawn_) out_ << "\n";
  }
  void Event(const v1::ExperimentEvent& event) override {
    experiment_ = event.experiment();
    if (event.has_trial()) {
      const v1::TrialState state = event.trial().state();
      if (state == v1::TRIAL_STATE_PREPARING ||
          state == v1::TRIAL_STATE_MEASURING ||
          state == v1::TRIAL_STATE_COLLECTING) {
        running_[event.trial().name()] = state;
      } else {
        running_.erase(event.trial().name());
      }
    }
    Draw("");
  }
  void Reconnecting(const absl::Status&) override {
    Draw("coordinator unavailable, reconnecting...");
  }
  void Reconnected() override { Draw(""); }

 private:
  void Draw(const std::string& note) {
    const v1::Experiment::Progress& p = experiment_.progress();
    const uint32_t total = p.trials_total();
    const uint32_t done = Done(p);
    const int filled =
        total == 0 ? 0 : static_cast<int>(uint64_t{done} * kBarWidth / total);
    std::string line = absl::StrCat("[", std::string(filled, '#'),
                                    std::string(kBarWidth - filled, '-'), "] ",
                                    done, "/", total, " trials");
    if (p.trials_failed() > 0) {
      absl::StrAppend(&line, " (", p.trials_failed(), " failed)");
    }
    std::vector<std::string> phases;
    for (const auto& [name, state] : running_) {
      absl::StatusOr<api::TrialRef> ref = api::ParseTrialName(name);
      phases.push_back(absl::StrCat("trial ",
                                    ref.ok() ? absl::StrCat(ref->trial) : name,
                                    " ", StateName(state)));
    }
    if (!phases.empty())
      absl::StrAppend(&line, "  ", absl::StrJoin(phases, ", "));
    if (p.has_estimated_remaining()) {
      absl::StrAppend(&line, "  ETA ", FormatDuration(p.estimated_remaining()));
    }
    if (!experiment_.waiting_for().empty()) {
      absl::StrAppend(&line, "  waiting: ", experiment_.waiting_for());
    }
    if (!note.empty()) absl::StrAppend(&line, "  ", note);
    // Carriage return and erase-to-end-of-line: redraw in place.
    out_ << "\r\x1b[K" << line;
    out_.flush();
    drawn_ = true;
  }

  std::ostream& out_;
  v1::Experiment experiment_;
  // Trials in a running phase, by name (ordered, so the line is stable).
  std::map<std::string, v1::TrialState> running_;
  bool drawn_ = false;
};

class WaitingTrialsView final : public WatchView {
 public:
  WaitingTrialsView(std::unique_ptr<WatchView> inner, FetchTrials fetch,
                    std::ostream& out, bool terminal)
      : inner_(std::move(inner)),
        fetch_(std::move(fetch)),
        out_(out),
        terminal_(terminal) {}

  void Event(const v1::ExperimentEvent& event) override {
    const std::string& waiting = event.experiment().waiting_for();
    const bool changed = waiting != last_waiting_;
    last_waiting_ = waiting;
    if (!changed || waiting.empty()) {
      inner_->Event(event);
      return;
    }
    std::vector<std::string> lines;
    if (absl::StatusOr<v1::GetExperimentResponse> all = fetch_(); all.ok()) {
      for (std::string& line : WaitingTrialLines(all->trials())) {
        if (printed_.insert(line).second) lines.push_back(std::move(line));
      }
    }
    if (!terminal_) inner_->Event(event);
    for (const std::string& line : lines) {
      out_ << (terminal_ ? "\r\x1b[K  " : "  ") << line << "\n";
    }
    if (terminal_) inner_->Event(event);
    out_.flush();
  }
  void Reconnecting(const absl::Status& why) override {
    inner_->Reconnecting(why);
  }
  void Reconnected() override { inner_->Reconnected(); }

 private:
  const std::unique_ptr<WatchView> inner_;
  const FetchTrials fetch_;
  std::ostream& out_;
  const bool terminal_;
  std::string last_waiting_;
  absl::flat_hash_set<std::string> printed_;
};

}  // namespace

std::unique_ptr<WatchView> WithWaitingTrials(std::unique_ptr<WatchView> view,
                                             FetchTrials fetch,
                                             std::ostream& out, bool terminal) {
  return std::make_unique<WaitingTrialsView>(std::move(view), std::move(fetch),
                                             out, terminal);
}

std::unique_ptr<WatchView> MakeLineView(std::ostream& out) {
  return std::make_unique<LineView>(out);
}

std::unique_ptr<WatchView> MakeBarView(std::ostream& out) {
  return std::make_unique<BarView>(out);
}

void AddWatchFlags(CLI::App& watch, WatchFlags* flags) {
  watch.add_option("EXPERIMENT", flags->experiment, "the experiment")
      ->type_name("EXPERIMENT")
      ->required();
  AddClientFlags(watch, &flags->client);
  watch.footer(absl::StrCat(
      kWatchManual, kClientManual,
      "\nExamples:\n  scalebench watch exp-000001\n"
      "  scalebench watch \"$(scalebench submit spec.yaml | tail -n 1)\"\n"));
}

int RunWatch(const WatchFlags& flags, const WatchOutput& output, Clock& clock,
             std::ostream& err, const WatchOptions& options) {
  absl::StatusOr<std::string> name = ExperimentNameArgument(flags.experiment);
  if (!name.ok()) {
    err << "scalebench watch: " << name.status().message() << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<std::unique_ptr<CoordinatorClient>> client =
      ConnectForCommand("watch", flags.client, err);
  if (!client.ok()) return kExitBadInput;
  GrpcWatchSource source(**client);
  absl::StatusOr<v1::Experiment> ended;
  {
    std::unique_ptr<WatchView> view = WithWaitingTrials(
        output.terminal ? MakeBarView(*output.out) : MakeLineView(*output.out),
        [&] { return GetAllPages(**client, *name); }, *output.out,
        output.terminal);
    ended = FollowExperiment(source, *name, clock, *view, options);
  }  // The bar ends its line.
  if (!ended.ok()) {
    return (*client)->Fail(ended.status());
  }
  const v1::Experiment::Progress& p = ended->progress();
  std::string summary =
      absl::StrCat(ended->name(), " ", StateName(ended->state()), ": ",
                   p.trials_succeeded(), " of ", p.trials_total(),
                   " trials succeeded, ", p.trials_failed(), " failed");
  if (ended->state() == v1::EXPERIMENT_STATE_SUCCEEDED) {
    *output.out << summary << "\n";
    return kExitOk;
  }
  if (!ended->status_message().empty()) {
    absl::StrAppend(&summary, ": ", ended->status_message());
  }
  err << "scalebench watch: " << summary << "\n";
  return kExitRunFailed;
}

int RunWatchCommand(const WatchFlags& flags, const CommandEnv& env) {
  WatchOutput output;
  output.out = &env.out;
  output.terminal = env.terminal;
  return RunWatch(flags, output, env.clock, env.err);
}

}  // namespace scalebench::cli
