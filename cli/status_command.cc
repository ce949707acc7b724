#include "cli/status_command.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/enum_names.h"
#include "api/resource_names.h"
#include "cli/output.h"
#include "common/exit_codes.h"
#include "common/grpc_status.h"
#include "spec/grid.h"

namespace scalebench::cli {
namespace {

constexpr char kStatusManual[] =
    R"(Without EXPERIMENT: every experiment, newest first, with its state, its
trials succeeded/failed/total and when it was created. With one: its state
(and why it failed or was cancelled), then one line per trial: its number,
its configuration, its state, and each attempt with its outcome (the
failure's kind and reason) and placement (role=worker); then, for the
queued trials the coordinator could not place, what they wait for, naming
what is missing, one line per reason:

  trial 3 waits: needs 3 free hosts: ...; 2 found (2 workers
  synchronizing: h1, h2)
  trials 0, 1 wait: queued behind trial 3, which the workers ...

EXPERIMENT is the name submit printed (experiments/exp-000001) or its id
(exp-000001).

With --output json: ListExperimentsResponse, or GetExperimentResponse in
the FULL view (experiment, trials, fits), with proto field names; the
trials of every page are in the one response.

)";

constexpr char kExamples[] = "\nExamples:\n";

// How many trial numbers WaitingTrialLines names per reason.
constexpr size_t kMaxNamedTrials = 10;

std::string Counts(const v1::Experiment::Progress& progress) {
  return absl::StrCat(progress.trials_succeeded(), "/",
                      progress.trials_failed(), "/", progress.trials_total());
}

// "attempt 1 ok", "attempt 2 failed (late_start: ...)", "attempt 3
// running", each followed by its placement: " on target/0=workers/a".
std::string DescribeAttempt(const v1::Attempt& attempt) {
  std::string text = absl::StrCat("attempt ", attempt.number(), " ");
  if (attempt.has_failure()) {
    absl::StrAppend(&text, "failed (", api::EnumName(attempt.failure().kind()),
                    ": ", attempt.failure().reason(), ")");
  } else if (attempt.has_end_time()) {
    absl::StrAppend(&text, "ok");
  } else {
    absl::StrAppend(&text, "running");
  }
  std::vector<std::pair<std::string, std::string>> placement(
      attempt.placement().begin(), attempt.placement().end());
  std::sort(placement.begin(), placement.end());
  if (!placement.empty()) {
    absl::StrAppend(&text, " on ",
                    absl::StrJoin(placement, " ", absl::PairFormatter("=")));
  }
  return text;
}

int ListExperiments(CoordinatorClient& client, OutputFormat output,
                    std::ostream& out) {
  v1::ListExperimentsResponse all;
  v1::ListExperimentsRequest request;
  do {
    v1::ListExperimentsResponse page;
    if (int exit = client.CallOrFail(
            &v1::CoordinatorService::Stub::ListExperiments, request, &page);
        exit != kExitOk) {
      return exit;
    }
    for (v1::Experiment& e : *page.mutable_experiments()) {
      *all.add_experiments() = std::move(e);
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (output == OutputFormat::kJson) {
    out << ApiJson(all);
    return kExitOk;
  }
  if (all.experiments().empty()) {
    out << "no experiments; submit one with: scalebench submit SPEC\n";
    return kExitOk;
  }
  TextTable table({"NAME", "SPEC", "STATE", "OK/FAILED/TOTAL", "CREATED"});
  for (const v1::Experiment& e : all.experiments()) {
    table.AddRow({e.name(), e.spec().name(), StateName(e.state()),
                  Counts(e.progress()), FormatTimestamp(e.create_time())});
  }
  table.Print(out);
  for (const v1::Experiment& e : all.experiments()) {
    if (!e.waiting_for().empty()) {
      out << e.name() << " waits: " << e.waiting_for() << "\n";
    }
  }
  return kExitOk;
}

int ShowExperiment(CoordinatorClient& client, const std::string& name,
                   OutputFormat output, std::ostream& out) {
  absl::StatusOr<v1::GetExperimentResponse> all = GetAllPages(client, name);
  if (!all.ok()) {
    return client.Fail(all.status());
  }
  const v1::GetExperimentResponse& response = *all;
  if (output == OutputFormat::kJson) {
    out << ApiJson(response);
    return kExitOk;
  }
  const v1::Experiment& e = response.experiment();
  const v1::Experiment::Progress& p = e.progress();
  out << e.name() << " (" << e.spec().name() << "): " << StateName(e.state());
  if (!e.status_message().empty()) out << ": " << e.status_message();
  out << "\n";
  if (!e.waiting_for().empty()) out << "waiting: " << e.waiting_for() << "\n";
  out << "trials: " << p.trials_succeeded() << " succeeded, "
      << p.trials_failed() << " failed, " << p.trials_running() << " running, "
      << p.trials_total() << " in all\n"
      << "created " << FormatTimestamp(e.create_time()) << ", started "
      << FormatTimestamp(e.start_time()) << ", ended "
      << FormatTimestamp(e.end_time()) << "\n";
  TextTable table({"TRIAL", "CONFIGURATION", "STATE", "ATTEMPTS"});
  for (const v1::Trial& trial : response.trials()) {
    absl::StatusOr<api::TrialRef> ref = api::ParseTrialName(trial.name());
    const int index = static_cast<int>(trial.configuration_index());
    std::string config =
        index < e.configurations_size()
            ? spec::DescribeConfiguration(e.configurations(index))
            : absl::StrCat("configuration ", index);
    std::vector<std::string> attempts;
    for (const v1::Attempt& a : trial.attempts()) {
      attempts.push_back(DescribeAttempt(a));
    }
    table.AddRow({ref.ok() ? absl::StrCat(ref->trial) : trial.name(), config,
                  StateName(trial.state()),
                  attempts.empty() ? "-" : absl::StrJoin(attempts, "; ")});
  }
  table.Print(out);
  for (const std::string& line : WaitingTrialLines(response.trials())) {
    out << line << "\n";
  }
  if (!response.fits().empty()) {
    out << response.fits_size() << " model fits: scalebench fit --experiment "
        << e.name() << "\n";
  }
  return kExitOk;
}

}  // namespace

std::string StateName(v1::ExperimentState state) {
  const std::string name = api::EnumName(state);
  return name.empty() ? "unknown" : name;
}

std::string StateName(v1::TrialState state) {
  const std::string name = api::EnumName(state);
  return name.empty() ? "unknown" : name;
}

absl::StatusOr<v1::GetExperimentResponse> GetAllPages(CoordinatorClient& client,
                                                      const std::string& name) {
  v1::GetExperimentResponse all;
  v1::GetExperimentRequest request;
  request.set_name(name);
  request.set_view(v1::EXPERIMENT_VIEW_FULL);
  do {
    v1::GetExperimentResponse page;
    const absl::Status status = client.Call(
        &v1::CoordinatorService::Stub::GetExperiment, request, &page);
    if (!status.ok()) return status;
    if (request.page_token().empty()) {
      *all.mutable_experiment() = std::move(*page.mutable_experiment());
    }
    for (v1::Trial& trial : *page.mutable_trials()) {
      *all.add_trials() = std::move(trial);
    }
    *all.mutable_fits() = std::move(*page.mutable_fits());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return all;
}

std::vector<std::string> WaitingTrialLines(
    const google::protobuf::RepeatedPtrField<v1::Trial>& trials) {
  // Trial numbers by reason, reasons in the order first seen.
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const v1::Trial& trial : trials) {
    if (trial.state() != v1::TRIAL_STATE_QUEUED || trial.waiting_for().empty())
      continue;
    auto group = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
      return g.first == trial.waiting_for();
    });
    if (group == groups.end()) {
      group = groups.insert(groups.end(), {trial.waiting_for(), {}});
    }
    absl::StatusOr<api::TrialRef> ref = api::ParseTrialName(trial.name());
    group->second.push_back(ref.ok() ? absl::StrCat(ref->trial) : trial.name());
  }
  std::vector<std::string> lines;
  for (auto& [reason, numbers] : groups) {
    const size_t count = numbers.size();
    if (count > kMaxNamedTrials) {
      numbers.resize(kMaxNamedTrials);
      numbers.push_back(absl::StrCat("and ", count - kMaxNamedTrials, " more"));
    }
    lines.push_back(absl::StrCat(count == 1 ? "trial " : "trials ",
                                 absl::StrJoin(numbers, ", "),
                                 count == 1 ? " waits: " : " wait: ", reason));
  }
  return lines;
}

void AddStatusFlags(CLI::App& status, StatusFlags* flags) {
  status
      .add_option("EXPERIMENT", flags->experiment,
                  "one experiment (default: list them all)")
      ->type_name("EXPERIMENT");
  AddOutputOption(status, &flags->output,
                  {OutputFormat::kText, OutputFormat::kJson});
  AddClientFlags(status, &flags->client);
  status.footer(absl::StrCat(kStatusManual, kClientManual, kExamples,
                             "  scalebench status\n"
                             "  scalebench status exp-000001\n"
                             "  scalebench status experiments/exp-000001 "
                             "--output json\n"));
}

int RunStatus(const StatusFlags& flags, std::ostream& out, std::ostream& err) {
  std::string name;
  if (!flags.experiment.empty()) {
    absl::StatusOr<std::string> parsed =
        ExperimentNameArgument(flags.experiment);
    if (!parsed.ok()) {
      err << "scalebench status: " << parsed.status().message() << "\n";
      return kExitBadInput;
    }
    name = *parsed;
  }
  absl::StatusOr<std::unique_ptr<CoordinatorClient>> client =
      ConnectForCommand("status", flags.client, err);
  if (!client.ok()) return kExitBadInput;
  if (name.empty()) return ListExperiments(**client, flags.output, out);
  return ShowExperiment(**client, name, flags.output, out);
}

}  // namespace scalebench::cli
