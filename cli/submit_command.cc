#include "cli/submit_command.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "cli/output.h"
#include "common/exit_codes.h"
#include "common/grpc_status.h"
#include "common/json_writer.h"
#include "spec/defaults.h"
#include "spec/grid.h"
#include "spec/spec_yaml.h"

namespace scalebench::cli {
namespace {

constexpr char kSubmitManual[] =
    R"(SPEC is an experiment spec in YAML (docs/spec.md). It is parsed and
validated here first: a mistake is reported as FILE:LINE:COLUMN: FIELD:
PROBLEM, exits 2, and creates nothing. Otherwise the coordinator stores the
experiment, PENDING, and the last line printed is its name, for watch,
status, results and cancel:

  name=$(scalebench submit spec.yaml | tail -n 1)
  scalebench watch "$name"

--request-id ID makes a retried submit safe: the coordinator returns the
experiment it created for ID the first time instead of a second one (a
different spec under the same ID is an error).

Before it creates anything, the coordinator checks every configuration
against the workers synchronizing with it now, as if they were all idle:
a worker offers the platform (and a unikernel's hypervisor), the first
target host or, under placement.balancer: own_host, one more host offers
the balancer, and there are enough hosts for `hosts` (plus the balancer's
own host). When some configuration could not run, submit names each such
configuration and what is missing (and which workers there are), exits 1
and creates nothing. With --allow-waiting (more workers will join), it
prints the same as a warning on stderr and submits; the trials then wait,
and status and watch say what for.

With --output json: the experiment as the API returns it (Experiment, with
proto field names).

Exit status: 0 submitted; 2 the spec (or EXPERIMENT, a flag) is wrong; 1 the
coordinator cannot be reached or cannot run it: without --allow-waiting,
some configuration no worker synchronizing now could run (no worker offers
its platform or balancer, or too few hosts).

)";

constexpr char kValidateManual[] =
    R"(Reads and validates SPEC exactly as submit does, and prints the
configurations it expands into (one line each, index first) and how many
trials they make. Needs no coordinator and creates nothing.

With --output json: {"spec": FILE, "configurations": [{"index": N,
"description": "..."}], "repetitions_min": N, "repetitions_max": N,
"trials_min": N, "trials_max": N}.

Exit status: 0 valid; 2 invalid (the message is FILE:LINE:COLUMN: FIELD:
PROBLEM).

Examples:
  scalebench validate examples/quickstart.yaml
  scalebench validate spec.yaml --output json
)";

// Reads the whole file; `ParseSpecFile` has already read it once.
absl::StatusOr<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot read"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string TrialCount(uint64_t configurations, uint32_t min_repetitions,
                       uint32_t max_repetitions) {
  if (min_repetitions == max_repetitions) {
    return absl::StrCat(configurations, " configurations x ", min_repetitions,
                        " repetitions = ", configurations * min_repetitions,
                        " trials");
  }
  return absl::StrCat(configurations, " configurations x ", min_repetitions,
                      " to ", max_repetitions,
                      " repetitions = ", configurations * min_repetitions,
                      " to ", configurations * max_repetitions, " trials");
}

}  // namespace

void AddSubmitFlags(CLI::App& submit, SubmitFlags* flags) {
  submit.add_option("SPEC", flags->spec, "the experiment spec (YAML)")
      ->type_name("FILE")
      ->required();
  submit
      .add_option("--request-id", flags->request_id,
                  "makes a retried submit return the first one's "
                  "experiment (a UUID, say)")
      ->type_name("ID");
  submit.add_flag("--allow-waiting", flags->allow_waiting,
                  "submit even when the workers synchronizing now cannot "
                  "run some configuration (more will join); warn on stderr");
  AddOutputOption(submit, &flags->output,
                  {OutputFormat::kText, OutputFormat::kJson});
  AddClientFlags(submit, &flags->client);
  submit.footer(absl::StrCat(
      kSubmitManual, kClientManual,
      "\nExamples:\n  scalebench submit examples/quickstart.yaml\n"
      "  scalebench submit spec.yaml --coordinator coord.lab:7300 \\\n"
      "      --ca ca.pem --cert me.pem --key me.key --request-id "
      "$(uuidgen)\n"));
}

void AddValidateFlags(CLI::App& validate, ValidateFlags* flags) {
  validate.add_option("SPEC", flags->spec, "the experiment spec (YAML)")
      ->type_name("FILE")
      ->required();
  AddOutputOption(validate, &flags->output,
                  {OutputFormat::kText, OutputFormat::kJson});
  validate.footer(kValidateManual);
}

int RunSubmit(const SubmitFlags& flags, std::ostream& out, std::ostream& err) {
  absl::StatusOr<v1::ExperimentSpec> spec = spec::ParseSpecFile(flags.spec);
  if (!spec.ok()) {
    err << "scalebench submit: " << spec.status().message() << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<std::string> source = ReadText(flags.spec);
  if (!source.ok()) {
    err << "scalebench submit: " << source.status().message() << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<std::unique_ptr<CoordinatorClient>> client =
      ConnectForCommand("submit", flags.client, err);
  if (!client.ok()) return kExitBadInput;
  v1::CreateExperimentRequest request;
  *request.mutable_spec() = *std::move(spec);
  request.set_spec_source(*std::move(source));
  request.set_request_id(flags.request_id);
  request.set_require_placeable(flags.check_workers && !flags.allow_waiting);
  v1::CreateExperimentResponse response;
  if (int exit = (*client)->CallOrFail(
          &v1::CoordinatorService::Stub::CreateExperiment, request, &response);
      exit != kExitOk) {
    return exit;
  }
  if (flags.check_workers && response.unplaceable_size() > 0) {
    err << "scalebench submit: warning: the workers synchronizing now cannot "
           "run it; its trials wait for workers that can:\n";
    for (const std::string& line : response.unplaceable()) {
      err << "  " << line << "\n";
    }
  }
  const v1::Experiment& experiment = response.experiment();
  if (flags.output == OutputFormat::kJson) {
    out << ApiJson(experiment);
    return kExitOk;
  }
  out << "submitted " << experiment.spec().name() << ": "
      << experiment.configurations_size() << " configurations, "
      << experiment.progress().trials_total() << " trials, seed "
      << experiment.seed() << "\n"
      << "follow it with: scalebench watch " << experiment.name() << "\n"
      << experiment.name() << "\n";
  return kExitOk;
}

int RunValidate(const ValidateFlags& flags, std::ostream& out,
                std::ostream& err) {
  absl::StatusOr<v1::ExperimentSpec> parsed = spec::ParseSpecFile(flags.spec);
  if (!parsed.ok()) {
    err << "scalebench validate: " << parsed.status().message() << "\n";
    return kExitBadInput;
  }
  const v1::ExperimentSpec full = spec::WithDefaults(*parsed);
  const std::vector<v1::Configuration> grid = spec::ExpandGrid(full);
  const uint32_t min = spec::MinRepetitions(full.repetitions());
  const uint32_t max = spec::MaxRepetitions(full.repetitions());
  if (flags.output == OutputFormat::kJson) {
    JsonWriter json;
    json.BeginObject();
    json.Key("spec").String(flags.spec);
    json.Key("configurations").BeginArray();
    for (const v1::Configuration& config : grid) {
      json.BeginObject();
      json.Key("index").Uint(config.index());
      json.Key("description").String(spec::DescribeConfiguration(config));
      json.EndObject();
    }
    json.EndArray();
    json.Key("repetitions_min").Uint(min);
    json.Key("repetitions_max").Uint(max);
    json.Key("trials_min").Uint(grid.size() * min);
    json.Key("trials_max").Uint(grid.size() * max);
    json.EndObject();
    out << json.str() << "\n";
    return kExitOk;
  }
  out << flags.spec << ": valid, " << TrialCount(grid.size(), min, max) << "\n";
  for (const v1::Configuration& config : grid) {
    out << "  " << config.index() << "  " << spec::DescribeConfiguration(config)
        << "\n";
  }
  return kExitOk;
}

}  // namespace scalebench::cli
