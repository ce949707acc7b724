#include "cli/schedule_command.h"

#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/compare_command.h"
#include "cli/output.h"
#include "common/cron.h"
#include "common/exit_codes.h"
#include "common/grpc_status.h"
#include "common/text_file.h"
#include "spec/spec_yaml.h"

namespace scalebench::cli {
// What a subcommand is given: its parsed flags, the schedule's full name
// (empty for list), the schedule add builds, and the coordinator.
struct ScheduleCall {
  const ScheduleFlags& flags;
  const std::string& name;
  const v1::Schedule& to_add;
  CoordinatorClient& client;
  std::ostream& out;
  bool json() const { return flags.output == OutputFormat::kJson; }
};

namespace {

using Stub = v1::CoordinatorService::Stub;

constexpr char kScheduleManual[] =
    R"(A schedule runs the same spec whenever its cron expression says, in
its time zone, on the coordinator, which keeps it in its store: it survives
restarts, and firings missed while the coordinator was down run once (for
the latest of them) when it comes back. A firing while the previous run is
still going is skipped, and the skip recorded. Each run's experiment names
its schedule and night; when it ends it is compared with the baseline (the
previous successful run, or --baseline) and the schedule's history is
searched for change points; a regression, a change point or a failed run
is POSTed to --webhook (docs/nightly.md).

)";

constexpr char kAddManual[] =
    R"(CRON is five fields, "minute hour day-of-month month day-of-week"
(names such as mon-fri and jan work; so do @daily, @hourly, @weekly), read
in --time-zone, an IANA name such as Europe/Lisbon (default UTC). SPEC is
read and validated here, as submit does, before anything is sent.

Exit status: 0 created; 2 a bad argument, spec, cron expression, or a name
in use; 1 the coordinator cannot be reached.

)";

constexpr char kExamples[] =
    R"(
Examples:
  scalebench schedule add nightly-nginx --spec examples/quickstart.yaml \
      --cron "0 2 * * *" --time-zone Europe/Lisbon \
      --webhook https://chat.example/hooks/T0/B0/x
  scalebench schedule list
  scalebench schedule runs nightly-nginx
  scalebench schedule run-now nightly-nginx
  scalebench schedule pause nightly-nginx
  scalebench history nightly-nginx
)";

std::string Describe(const v1::ScheduleRun& run) {
  if (!run.has_night()) return "-";
  std::string text = absl::StrCat(FormatTimestamp(run.night()), " ");
  if (!run.experiment().empty()) {
    absl::StrAppend(&text, run.experiment(), run.manual() ? " (by hand)" : "");
  } else {
    absl::StrAppend(&text, "skipped: ", run.skip_reason());
  }
  if (run.missed_firings() > 0) {
    absl::StrAppend(&text, ", ", run.missed_firings(),
                    " earlier firings missed while the coordinator was down");
  }
  if (!run.verdict().empty()) absl::StrAppend(&text, ": ", run.verdict());
  return text;
}

void PrintSchedule(const v1::Schedule& s, std::ostream& out) {
  out << s.name() << (s.paused() ? " (paused)" : "") << "\n"
      << "  spec:      " << s.spec().name() << "\n"
      << "  cron:      " << s.cron() << " ("
      << (s.time_zone().empty() ? "UTC" : s.time_zone()) << ")\n"
      << "  next run:  " << FormatTimestamp(s.next_run_time()) << "\n"
      << "  baseline:  "
      << (s.baseline().empty() ? "the previous successful run" : s.baseline())
      << "\n"
      << "  threshold: "
      << absl::StrFormat("%g%%",
                         100 * (s.threshold() > 0 ? s.threshold() : 0.03))
      << "\n"
      << "  webhook:   " << (s.webhook_url().empty() ? "-" : s.webhook_url())
      << "\n"
      << "  last run:  " << Describe(s.last_run()) << "\n";
  if (!s.last_run().verdict_detail().empty()) {
    out << "             " << s.last_run().verdict_detail() << "\n";
  }
}

// Reads SPEC and builds the schedule `add` sends.
absl::StatusOr<v1::Schedule> ScheduleToAdd(const ScheduleFlags& flags,
                                           const std::string& name) {
  v1::Schedule schedule;
  schedule.set_name(name);
  absl::StatusOr<v1::ExperimentSpec> spec = spec::ParseSpecFile(flags.spec);
  if (!spec.ok()) return spec.status();
  *schedule.mutable_spec() = *std::move(spec);
  absl::StatusOr<std::string> source = ReadTextFile(flags.spec);
  if (!source.ok()) return source.status();
  schedule.set_spec_source(*std::move(source));
  absl::StatusOr<CronSchedule> cron =
      CronSchedule::Parse(flags.cron, flags.time_zone);
  if (!cron.ok()) {
    // "cron: ..." or "time zone ...": the flags that set them.
    const absl::string_view message = cron.status().message();
    return absl::InvalidArgumentError(
        absl::StartsWith(message, "time zone")
            ? absl::StrCat("--time-zone: ", message)
            : absl::StrCat("--", message));
  }
  schedule.set_cron(flags.cron);
  schedule.set_time_zone(flags.time_zone);
  schedule.set_webhook_url(flags.webhook);
  if (!flags.baseline.empty()) {
    absl::StatusOr<std::string> baseline =
        ExperimentNameArgument(flags.baseline);
    if (!baseline.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--baseline: ", baseline.status().message()));
    }
    schedule.set_baseline(*baseline);
  }
  absl::StatusOr<double> threshold = ParseThreshold(flags.threshold);
  if (!threshold.ok()) return threshold.status();
  schedule.set_threshold(*threshold);
  return schedule;
}

int Add(const ScheduleCall& call) {
  v1::CreateScheduleRequest request;
  *request.mutable_schedule() = call.to_add;
  v1::CreateScheduleResponse response;
  if (int exit =
          call.client.CallOrFail(&Stub::CreateSchedule, request, &response);
      exit != kExitOk) {
    return exit;
  }
  if (call.json()) {
    call.out << ApiJson(response.schedule());
  } else {
    call.out << "added " << response.schedule().name() << "; first run at "
             << FormatTimestamp(response.schedule().next_run_time()) << "\n";
  }
  return kExitOk;
}

int List(const ScheduleCall& call) {
  v1::ListSchedulesResponse response;
  if (int exit = call.client.CallOrFail(&Stub::ListSchedules,
                                        v1::ListSchedulesRequest(), &response);
      exit != kExitOk) {
    return exit;
  }
  if (call.json()) {
    call.out << ApiJson(response);
    return kExitOk;
  }
  if (response.schedules().empty()) {
    call.out << "no schedules; add one with: scalebench schedule add NAME "
                "--spec SPEC --cron \"0 2 * * *\"\n";
    return kExitOk;
  }
  TextTable table({"NAME", "CRON", "ZONE", "NEXT RUN", "LAST RUN"});
  for (const v1::Schedule& s : response.schedules()) {
    table.AddRow({s.name(), s.cron(),
                  s.time_zone().empty() ? "UTC" : s.time_zone(),
                  s.paused() ? "paused" : FormatTimestamp(s.next_run_time()),
                  Describe(s.last_run())});
  }
  table.Print(call.out);
  return kExitOk;
}

int Show(const ScheduleCall& call) {
  v1::GetScheduleRequest request;
  request.set_name(call.name);
  v1::GetScheduleResponse response;
  if (int exit = call.client.CallOrFail(&Stub::GetSchedule, request, &response);
      exit != kExitOk) {
    return exit;
  }
  if (call.json()) {
    call.out << ApiJson(response.schedule());
  } else {
    PrintSchedule(response.schedule(), call.out);
  }
  return kExitOk;
}

int SetPaused(const ScheduleCall& call, bool paused) {
  v1::SetSchedulePausedRequest request;
  request.set_name(call.name);
  request.set_paused(paused);
  v1::SetSchedulePausedResponse response;
  if (int exit =
          call.client.CallOrFail(&Stub::SetSchedulePaused, request, &response);
      exit != kExitOk) {
    return exit;
  }
  if (call.json()) {
    call.out << ApiJson(response.schedule());
  } else if (response.schedule().paused()) {
    call.out << call.name << ": paused\n";
  } else {
    call.out << call.name << ": resumed; next run at "
             << FormatTimestamp(response.schedule().next_run_time()) << "\n";
  }
  return kExitOk;
}
int Pause(const ScheduleCall& call) { return SetPaused(call, true); }
int Resume(const ScheduleCall& call) { return SetPaused(call, false); }

int Delete(const ScheduleCall& call) {
  v1::DeleteScheduleRequest request;
  request.set_name(call.name);
  v1::DeleteScheduleResponse response;
  if (int exit =
          call.client.CallOrFail(&Stub::DeleteSchedule, request, &response);
      exit != kExitOk) {
    return exit;
  }
  if (call.json()) {
    call.out << "{}\n";
  } else {
    call.out << call.name << ": deleted; its experiments stay\n";
  }
  return kExitOk;
}

int RunNow(const ScheduleCall& call) {
  v1::RunScheduleRequest request;
  request.set_name(call.name);
  request.set_request_id(call.flags.request_id);
  v1::RunScheduleResponse response;
  if (int exit = call.client.CallOrFail(&Stub::RunSchedule, request, &response);
      exit != kExitOk) {
    return exit;
  }
  if (call.json()) {
    call.out << ApiJson(response.run());
  } else {
    call.out << call.name << ": started " << response.run().experiment() << "\n"
             << "follow it with: scalebench watch "
             << response.run().experiment() << "\n"
             << response.run().experiment() << "\n";
  }
  return kExitOk;
}

int Runs(const ScheduleCall& call) {
  v1::ListScheduleRunsRequest request;
  request.set_name(call.name);
  v1::ListScheduleRunsResponse response;
  if (int exit =
          call.client.CallOrFail(&Stub::ListScheduleRuns, request, &response);
      exit != kExitOk) {
    return exit;
  }
  if (call.json()) {
    call.out << ApiJson(response);
    return kExitOk;
  }
  if (response.runs().empty()) {
    call.out << call.name << ": no runs yet\n";
    return kExitOk;
  }
  TextTable table({"NIGHT", "EXPERIMENT", "VERDICT", "DETAIL"});
  for (const v1::ScheduleRun& run : response.runs()) {
    std::string detail =
        run.skip_reason().empty() ? run.verdict_detail() : run.skip_reason();
    if (run.missed_firings() > 0) {
      absl::StrAppend(&detail, detail.empty() ? "" : "; ", run.missed_firings(),
                      " earlier firings missed");
    }
    table.AddRow(
        {FormatTimestamp(run.night()),
         run.experiment().empty()
             ? "skipped"
             : absl::StrCat(run.experiment(), run.manual() ? " (by hand)" : ""),
         run.verdict().empty() ? "-" : run.verdict(), detail});
  }
  table.Print(call.out);
  return kExitOk;
}

// The subcommands that take a NAME, in --help order (add and list are
// added apart: add has its own flags, list no NAME).
struct NamedSubcommand {
  const char* name;
  const char* help;
  int (*run)(const ScheduleCall&);
};
constexpr NamedSubcommand kNamedSubcommands[] = {
    {"show", "one schedule in full", &Show},
    {"pause", "stop firing until resumed", &Pause},
    {"resume", "fire again from now on (no catch-up)", &Resume},
    {"delete", "forget the schedule; its experiments stay", &Delete},
    {"run-now", "start a run now, outside the cron expression", &RunNow},
    {"runs", "the schedule's runs and skips, newest first", &Runs}};

}  // namespace

void AddScheduleFlags(CLI::App& schedule, ScheduleFlags* flags) {
  schedule.require_subcommand(1);
  schedule.footer(absl::StrCat(kScheduleManual, kClientManual, kExamples));

  CLI::App* add = schedule.add_subcommand(
      "add", "store a schedule: run SPEC whenever CRON says");
  add->add_option("NAME", flags->name, "the schedule's name (e.g. nightly)")
      ->required();
  add->add_option("--spec", flags->spec, "the experiment spec (YAML)")
      ->type_name("FILE")
      ->required();
  add->add_option("--cron", flags->cron,
                  "when to run: \"minute hour day month weekday\", e.g. "
                  "\"0 2 * * *\"")
      ->type_name("EXPR")
      ->required();
  add->add_option("--time-zone", flags->time_zone,
                  "the IANA zone CRON is read in (default UTC)")
      ->type_name("ZONE");
  add->add_option("--webhook", flags->webhook,
                  "POST regressions, change points and failed runs here as "
                  "JSON with a text field")
      ->type_name("URL");
  add->add_option("--baseline", flags->baseline,
                  "compare every run with this experiment (default: the "
                  "previous successful run)")
      ->type_name("EXPERIMENT");
  add->add_option("--threshold", flags->threshold,
                  "smaller changes are no change, even when significant "
                  "(default 3%)")
      ->type_name("PCT");
  add->footer(absl::StrCat(kAddManual, kClientManual, kExamples));

  add->callback([flags] {
    flags->command = "add";
    flags->run = &Add;
  });
  std::vector<CLI::App*> commands = {add};
  CLI::App* list = schedule.add_subcommand(
      "list", "every schedule, its next run and its last verdict");
  list->callback([flags] {
    flags->command = "list";
    flags->run = &List;
  });
  commands.push_back(list);
  for (const NamedSubcommand& named : kNamedSubcommands) {
    CLI::App* sub = schedule.add_subcommand(named.name, named.help);
    sub->add_option("NAME", flags->name, "the schedule")->required();
    if (named.run == &RunNow) {
      sub->add_option("--request-id", flags->request_id,
                      "makes a retried run-now return the first one's run "
                      "(a UUID, say)")
          ->type_name("ID");
    }
    sub->callback([flags, named] {
      flags->command = named.name;
      flags->run = named.run;
    });
    commands.push_back(sub);
  }
  for (CLI::App* sub : commands) {
    AddOutputOption(*sub, &flags->output,
                    {OutputFormat::kText, OutputFormat::kJson});
    AddClientFlags(*sub, &flags->client);
    if (sub != add) sub->footer(absl::StrCat(kClientManual, kExamples));
  }
}

int RunSchedule(const ScheduleFlags& flags, std::ostream& out,
                std::ostream& err) {
  const std::string prefix =
      absl::StrCat("scalebench schedule ", flags.command);
  std::string name;
  if (flags.command != "list") {
    absl::StatusOr<std::string> parsed = ScheduleNameArgument(flags.name);
    if (!parsed.ok()) {
      err << prefix << ": " << parsed.status().message() << "\n";
      return kExitBadInput;
    }
    name = *std::move(parsed);
  }
  v1::Schedule to_add;
  if (flags.command == "add") {
    absl::StatusOr<v1::Schedule> built = ScheduleToAdd(flags, name);
    if (!built.ok()) {
      err << prefix << ": " << built.status().message() << "\n";
      return kExitBadInput;
    }
    to_add = *std::move(built);
  }
  absl::StatusOr<std::unique_ptr<CoordinatorClient>> client =
      CoordinatorClient::Connect(flags.client,
                                 absl::StrCat("schedule ", flags.command), err);
  if (!client.ok()) return kExitBadInput;
  return flags.run(ScheduleCall{flags, name, to_add, **client, out});
}

}  // namespace scalebench::cli
