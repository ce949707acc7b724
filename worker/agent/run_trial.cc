#include "worker/agent/run_trial.h"

#include <unistd.h>

#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "api/enum_names.h"
#include "common/exit_codes.h"
#include "common/proto_time.h"
#include "common/stop_signals.h"
#include "loadgen/report.h"
#include "nlohmann/json.hpp"
#include "spec/defaults.h"
#include "spec/grid.h"
#include "spec/spec_yaml.h"
#include "worker/agent/trial_runner.h"

namespace scalebench::worker {
namespace {

using Json = nlohmann::ordered_json;

Json ConfigurationJson(const v1::Configuration& c) {
  Json j;
  j["index"] = c.index();
  j["platform"] = api::EnumName(c.platform());
  j["instances"] = c.instances();
  j["balancer"] = api::EnumName(c.balancer());
  j["algorithm"] = api::EnumName(c.algorithm());
  j["hosts"] = c.hosts();
  j["vcpus"] = c.vcpus();
  j["keepalive"] = c.keepalive();
  j["health_check_interval_s"] =
      absl::ToDoubleSeconds(DurationFromProto(c.health_check_interval()));
  j["connections"] = c.connections();
  return j;
}

Json EnvironmentJson(const v1::HostEnvironment& e) {
  Json j;
  j["hostname"] = e.hostname();
  j["kernel"] = e.kernel();
  j["cpu_model"] = e.cpu_model();
  j["logical_cpus"] = e.logical_cpus();
  j["smt"] = e.smt();
  j["governor"] = e.governor();
  j["memory_bytes"] = e.memory_bytes();
  j["nested"] = e.nested();
  j["versions"] = Json::object();
  for (const auto& [k, v] : e.versions()) j["versions"][k] = v;
  j["pinning"] = Json::object();
  for (const auto& [k, v] : e.pinning()) j["pinning"][k] = v;
  return j;
}

Json PlanJson(const LaunchPlan& plan) {
  Json j;
  j["summary"] = plan.summary;
  j["files"] = Json::array();
  for (const LaunchPlan::File& f : plan.files) {
    j["files"].push_back({{"path", f.path}, {"contents", f.contents}});
  }
  j["commands"] = plan.commands;
  return j;
}

// A command as a person would type it: words with spaces or quotes quoted.
std::string ShellLine(const std::vector<std::string>& argv) {
  std::vector<std::string> words;
  for (const std::string& word : argv) {
    if (word.find_first_of(" \t\"'$\\") == std::string::npos && !word.empty()) {
      words.push_back(word);
    } else {
      std::string quoted = "'";
      for (char c : word)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
      words.push_back(quoted + "'");
    }
  }
  return absl::StrJoin(words, " ");
}

std::string Cores(const std::vector<int>& cores) {
  return cores.empty() ? "-" : absl::StrJoin(cores, ",");
}

void PrintDryRun(const v1::Configuration& configuration, const TrialPlan& plan,
                 OutputFormat output, std::ostream& out) {
  if (output == OutputFormat::kJson) {
    Json j;
    j["configuration"] = ConfigurationJson(configuration);
    j["overcommitted"] = plan.cores.overcommitted;
    j["cores"] = Json::object();
    for (const auto& [role, cores] : plan.cores.Pinning())
      j["cores"][role] = cores;
    j["plans"] = Json::array();
    for (const LaunchPlan& p : plan.launch_plans)
      j["plans"].push_back(PlanJson(p));
    j["load"] = {{"urls", plan.load.urls},
                 {"connections", plan.load.connections},
                 {"cpus", plan.load.cpus}};
    out << j.dump(2) << "\n";
    return;
  }
  out << "configuration " << spec::DescribeConfiguration(configuration) << "\n";
  out << "cores" << (plan.cores.overcommitted ? " (overcommitted)" : "") << ":";
  for (const auto& [role, cores] : plan.cores.Pinning()) {
    out << " " << role << "=" << cores;
  }
  out << "\n";
  for (const LaunchPlan& p : plan.launch_plans) {
    out << "\n== " << p.summary << "\n";
    for (const LaunchPlan::File& f : p.files) {
      out << "-- " << f.path << "\n" << f.contents;
      if (!f.contents.empty() && f.contents.back() != '\n') out << "\n";
    }
    for (const std::vector<std::string>& command : p.commands) {
      out << "$ " << ShellLine(command) << "\n";
    }
  }
  out << "\n== load: " << plan.load.connections << " connections on cores "
      << Cores(plan.load.cpus) << " to " << absl::StrJoin(plan.load.urls, " ")
      << "\n";
}

int PrintOutcome(const v1::Configuration& configuration,
                 const TrialOutcome& outcome, OutputFormat output,
                 std::ostream& out, std::ostream& err) {
  const int exit_code = outcome.failure.has_value() ? kExitRunFailed : kExitOk;
  if (output == OutputFormat::kJson) {
    Json j = Json::object();
    if (outcome.loadgen.has_value()) {
      absl::StatusOr<std::string> text = loadgen::FormatJson(*outcome.loadgen);
      if (!text.ok()) {
        err << "scalebench-worker: " << text.status().message() << "\n";
        return kExitRunFailed;
      }
      j = Json::parse(*text);
    }
    j["configuration"] = ConfigurationJson(configuration);
    j["environment"] = EnvironmentJson(outcome.environment);
    j["overcommitted"] = outcome.overcommitted;
    j["timings"] = {{"targets_ready_s", outcome.timings.targets_ready_s},
                    {"balancer_ready_s", outcome.timings.balancer_ready_s},
                    {"teardown_s", outcome.timings.teardown_s}};
    if (outcome.failure.has_value()) {
      j["failure"] = {{"kind", api::EnumName(outcome.failure->kind())},
                      {"reason", outcome.failure->reason()}};
    } else if (!j.contains("failure")) {
      j["failure"] = nullptr;
    }
    out << j.dump(2) << "\n";
    return exit_code;
  }
  out << "configuration " << spec::DescribeConfiguration(configuration) << "\n";
  out << "cores"
      << (outcome.overcommitted ? " (overcommitted: cores shared)" : "") << ":";
  for (const auto& [role, cores] : outcome.environment.pinning()) {
    out << " " << role << "=" << cores;
  }
  out << "\n";
  out << absl::StrFormat("ready       targets in %.2f s",
                         outcome.timings.targets_ready_s);
  if (configuration.balancer() != v1::BALANCER_KIND_NONE) {
    out << absl::StrFormat(", balancer in %.2f s",
                           outcome.timings.balancer_ready_s);
  }
  out << absl::StrFormat("; teardown %.2f s\n", outcome.timings.teardown_s);
  if (outcome.loadgen.has_value()) {
    absl::StatusOr<std::string> text = loadgen::FormatText(*outcome.loadgen);
    if (text.ok()) out << *text;
  }
  if (outcome.failure.has_value() &&
      !(outcome.loadgen.has_value() && outcome.loadgen->has_failure())) {
    out << "FAILED      " << api::EnumName(outcome.failure->kind()) << ": "
        << outcome.failure->reason() << "\n";
  }
  return exit_code;
}

// The worker flags of a run: a dry run starts nothing, not even the KVM
// probe's guest.
WorkerFlags OpenFlags(const RunTrialFlags& flags) {
  WorkerFlags open = flags;
  open.drivers.probe_host = !flags.dry_run;
  return open;
}

}  // namespace

CLI::App* AddRunTrialCommand(CLI::App& app, RunTrialFlags* flags) {
  CLI::App* command = app.add_subcommand(
      "run-trial",
      "run one trial of one grid point of SPEC on this host, without a "
      "coordinator");
  command->add_option("SPEC", flags->spec_path, "the experiment spec (YAML)")
      ->type_name("")
      ->required();
  command
      ->add_option("--configuration", flags->configuration,
                   "the grid point to run, by its index (see the error "
                   "listing them); required when the grid has several")
      ->type_name("N");
  AddWorkerFlags(*command, flags, "local");
  command->add_flag("--dry-run", flags->dry_run,
                    "print the core map, every generated config and command, "
                    "and start nothing");
  AddOutputOption(*command, &flags->output,
                  {OutputFormat::kText, OutputFormat::kJson});
  command->footer(
      "Exit status: 0 when the trial succeeded, 1 when it failed (a target\n"
      "or balancer did not start, a late start, the load generator could\n"
      "not run), 2 when the spec or the flags are wrong.");
  return command;
}

int RunTrialCommand(const RunTrialFlags& flags, Clock* clock, std::ostream& out,
                    std::ostream& err) {
  absl::StatusOr<v1::ExperimentSpec> parsed =
      spec::ParseSpecFile(flags.spec_path);
  if (!parsed.ok()) {
    err << "scalebench-worker: " << parsed.status().message() << "\n";
    return ExitCodeFor(parsed.status());
  }
  const v1::ExperimentSpec spec = spec::WithDefaults(*parsed);
  const std::vector<v1::Configuration> grid = spec::ExpandGrid(spec);
  if (grid.empty()) {
    err << "scalebench-worker: " << flags.spec_path << ": the grid is empty\n";
    return kExitBadInput;
  }
  if ((!flags.configuration.has_value() && grid.size() > 1) ||
      (flags.configuration.has_value() &&
       *flags.configuration >= grid.size())) {
    err << "scalebench-worker: " << flags.spec_path << " has " << grid.size()
        << " grid points; choose one with --configuration N:\n";
    for (const v1::Configuration& c : grid) {
      err << "  " << c.index() << ": " << spec::DescribeConfiguration(c)
          << "\n";
    }
    return kExitBadInput;
  }
  const v1::Configuration& configuration =
      grid[flags.configuration.value_or(0)];

  absl::StatusOr<std::unique_ptr<WorkerHost>> host =
      WorkerHost::Open(OpenFlags(flags), "local", clock);
  if (!host.ok()) {
    err << "scalebench-worker: " << host.status().message() << "\n";
    return ExitCodeFor(host.status());
  }
  DriverSet* drivers = &(*host)->drivers();
  TrialRunner runner((*host)->context(), drivers, (*host)->cpus(),
                     flags.listen_address);

  TrialRequest request;
  request.configuration = configuration;
  request.service = spec.service();
  request.target = spec::ResolvedTarget(spec, configuration);
  request.load = spec::ResolvedLoad(spec, configuration);
  request.prepare_timeout = DurationFromProto(spec.timeouts().prepare());
  request.balance_timeout = DurationFromProto(spec.timeouts().balance());

  if (flags.dry_run) {
    runner.set_plan_only(true);
    absl::StatusOr<TrialPlan> plan = runner.Plan(request);
    if (!plan.ok()) {
      err << "scalebench-worker: " << plan.status().message() << "\n";
      return ExitCodeFor(plan.status());
    }
    PrintDryRun(configuration, *plan, flags.output, out);
    return kExitOk;
  }
  // Whatever an earlier worker with this state dir left goes first.
  if (absl::Status s = drivers->RecoverAll(); !s.ok()) {
    err << "scalebench-worker: removing what an earlier worker left: "
        << s.message() << "\n";
    return kExitRunFailed;
  }
  // SIGINT or SIGTERM (blocked by main(), taken here): stop everything
  // this worker started, as an earlier worker's leftovers are, and exit 1.
  // The thread is detached; a normal return simply ends the process.
  std::thread([&err, drivers] {
    const sigset_t signals = StopSignals();
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    err << "scalebench-worker: interrupted (signal " << signal_number
        << "); stopping what this trial started\n";
    (void)drivers->RecoverAll();
    _exit(kExitRunFailed);
  }).detach();
  absl::StatusOr<TrialOutcome> outcome = runner.RunLocal(request);
  if (!outcome.ok()) {
    err << "scalebench-worker: " << outcome.status().message() << "\n";
    return outcome.status().code() == absl::StatusCode::kFailedPrecondition
               ? kExitBadInput
               : ExitCodeFor(outcome.status());
  }
  return PrintOutcome(configuration, *outcome, flags.output, out, err);
}

}  // namespace scalebench::worker
