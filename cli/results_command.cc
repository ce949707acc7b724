#include "cli/results_command.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "api/resource_names.h"
#include "cli/fit_report.h"
#include "cli/output.h"
#include "cli/results_table.h"
#include "common/csv_writer.h"
#include "common/exit_codes.h"
#include "common/grpc_status.h"
#include "common/number_text.h"
#include "common/proto_time.h"
#include "nlohmann/json.hpp"
#include "results/repetitions.h"
#include "results/shared_cores.h"
#include "results/trial_rows.h"

namespace scalebench::cli {
namespace {

constexpr char kResultsManual[] =
    R"(Reads the experiment's stored results from the coordinator: the merged
result of every trial that succeeded, and the model fits of the spec's
models once the experiment has ended.

--output table (the default; text is the same), 100 columns wide: one
line per configuration: the factors that differ between configurations
(one column each; the rest on a "common to all" line under the table,
and vcpus_total only when both instances and vcpus vary; --wide makes
every factor a column), N (trials), REQUESTS/S (the median, thousands
grouped, three significant digits), 95% INTERVAL (the median's
distribution-free interval, from 6 trials on), and P99 (the median p99
latency, in the unit of the largest: µs, ms or s); a footnote for each
kind of "-" shown; a line with the load generators' start skew, one with
how far apart their starts were (estimated, and observed by the
balancer's host), and lines marking trials from nested hosts, processes
that shared a core, and failed requests; then the model fits, as
scalebench fit prints them.

--output csv: a header row, then one row per trial. The columns are
trial_id (exp-000001/3), the factors platform, instances, balancer,
algorithm, hosts, vcpus, vcpus_total, keepalive, health_check_interval
(seconds), connections, then repetition, then the metrics requests_per_s,
transfer_kb_per_s, latency_mean_us, latency_p50_us, latency_p90_us,
latency_p99_us, latency_max_us, errors, error_rate (the fraction of the
requests that failed), start_skew_us,
start_skew_uncertainty_us, start_spread_us, observed_start_spread_us
(empty when not observed), then nested (true
when a host of the trial is itself a virtual machine: its throughput shows
that the code path works, not how fast the platform is). The file is what
scalebench fit --data reads:

  scalebench results exp-000001 --output csv > r.csv
  scalebench fit --data r.csv --x instances --y requests_per_s --model usl \
      --by platform

--output json: a list with one object per trial: trial (its name),
configuration (the API's Configuration), result (the merged LoadgenResult),
requests_per_s, start_time (T0, RFC 3339 with nanoseconds), start_skew_us
and start_skew_uncertainty_us, estimated_start_spread_us and
estimated_start_spread_uncertainty_us, observed_start_spread_us (when the
balancer's host saw every load generator's first request), nested, and
workers: per host, worker_id, pinning (role -> cores), core_busy (how busy
each core was), cpu_quota (how often the host's CPU quota was used up,
when it has one), clock (before and after the window: offset_us,
uncertainty_us, min_round_trip_us, max_round_trip_us, samples; and
drift_us, after's offset minus before's), on a host
that generated load its requests, start_skew_us and
start_skew_uncertainty_us, and on the balancer's host observed_starts
(worker_id, address, first_request) or observe_failure.

A start skew is on the coordinator's clock: the load generator's load
began start_skew_us after T0 less the warm-up (negative: before), true to
within
start_skew_uncertainty_us (half the round trip of that host's best clock
exchange). docs/methodology.md says how it is measured and bounded.

Exit status: 0 ok; 2 EXPERIMENT is wrong or unknown; 1 the coordinator
cannot be reached or a stored result cannot be read.

)";

// Longer than a unary call's: the stream carries every trial's result.
constexpr absl::Duration kExportDeadline = absl::Minutes(5);

int PrintCsv(const ExportedResults& exported, std::ostream& out,
             std::ostream& err) {
  out << CsvRow(results::TrialRowColumns());
  for (const v1::TrialResult& trial : exported.trials) {
    absl::StatusOr<std::vector<std::string>> cells =
        results::TrialRowCells(trial);
    if (!cells.ok()) {
      err << "scalebench results: " << trial.key().trial() << ": "
          << cells.status().message() << "\n";
      return kExitRunFailed;
    }
    out << CsvRow(*cells);
  }
  return kExitOk;
}

double Us(const google::protobuf::Duration& d) {
  return absl::ToDoubleMicroseconds(DurationFromProto(d));
}

// A clock offset in microseconds, as `results --output json` shows it.
nlohmann::json OffsetJson(const v1::ClockOffset& offset) {
  return {{"offset_us", Us(offset.offset())},
          {"uncertainty_us", Us(offset.uncertainty())},
          {"min_round_trip_us", Us(offset.min_round_trip())},
          {"max_round_trip_us", Us(offset.max_round_trip())},
          {"samples", offset.samples()}};
}

// An instant as RFC 3339 with nanoseconds ("2026-12-07T18:00:01.123456789Z").
std::string InstantText(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E9SZ", TimeFromProto(t),
                          absl::UTCTimeZone());
}

// What each host of the trial reported besides the merged load: the
// cores of its roles, how busy each core was, its CPU quota, its clock
// against the coordinator's, on a host that generated load its own
// requests and start skew, and on the balancer's host the first request
// of each load generator it saw.
absl::StatusOr<nlohmann::json> WorkersJson(const v1::TrialResult& trial) {
  nlohmann::json workers = nlohmann::json::array();
  for (const v1::WorkerResult& raw : trial.raw()) {
    nlohmann::json worker;
    worker["worker_id"] = raw.worker_id();
    nlohmann::json pinning = nlohmann::json::object();
    for (const auto& [role, cores] : raw.environment().pinning()) {
      pinning[role] = cores;
    }
    worker["pinning"] = std::move(pinning);
    if (raw.has_loadgen()) {
      worker["requests"] = raw.loadgen().requests();
      worker["start_skew_us"] = Us(raw.loadgen().start_skew());
      worker["start_skew_uncertainty_us"] =
          Us(raw.loadgen().start_skew_uncertainty());
    }
    if (raw.has_clock()) {
      nlohmann::json clock = nlohmann::json::object();
      if (raw.clock().has_before()) {
        clock["before"] = OffsetJson(raw.clock().before());
      }
      if (raw.clock().has_after()) {
        clock["after"] = OffsetJson(raw.clock().after());
      }
      if (raw.clock().has_before() && raw.clock().has_after()) {
        clock["drift_us"] = Us(raw.clock().after().offset()) -
                            Us(raw.clock().before().offset());
      }
      worker["clock"] = std::move(clock);
    }
    if (raw.observed_starts_size() > 0) {
      nlohmann::json observed = nlohmann::json::array();
      for (const v1::ObservedStart& start : raw.observed_starts()) {
        observed.push_back(
            {{"worker_id", start.worker_id()},
             {"address", start.address()},
             {"first_request", InstantText(start.first_request())}});
      }
      worker["observed_starts"] = std::move(observed);
    }
    if (!raw.observe_failure().empty()) {
      worker["observe_failure"] = raw.observe_failure();
    }
    nlohmann::json busy = nlohmann::json::array();
    for (const v1::CoreBusy& core : raw.core_busy()) {
      busy.push_back({{"cpu", core.cpu()}, {"busy", core.busy()}});
    }
    worker["core_busy"] = std::move(busy);
    if (raw.has_cpu_quota()) {
      absl::StatusOr<nlohmann::json> quota = ApiJsonValue(raw.cpu_quota());
      if (!quota.ok()) {
        return absl::Status(
            quota.status().code(),
            absl::StrCat("workers[", raw.worker_id(),
                         "].cpu_quota: ", quota.status().message()));
      }
      worker["cpu_quota"] = *std::move(quota);
    }
    workers.push_back(std::move(worker));
  }
  return workers;
}

int PrintJson(const ExportedResults& exported, std::ostream& out,
              std::ostream& err) {
  const std::vector<std::string> columns = results::TrialRowColumns();
  const size_t skew_column =
      std::find(columns.begin(), columns.end(), "start_skew_us") -
      columns.begin();
  nlohmann::json list = nlohmann::json::array();
  for (const v1::TrialResult& trial : exported.trials) {
    absl::StatusOr<std::vector<std::string>> cells =
        results::TrialRowCells(trial);
    double skew_us = 0;
    if (!cells.ok() || skew_column >= cells->size() ||
        !absl::SimpleAtod((*cells)[skew_column], &skew_us)) {
      err << "scalebench results: " << trial.key().trial() << ": "
          << (cells.ok() ? "no start skew" : cells.status().message()) << "\n";
      return kExitRunFailed;
    }
    // A stored result need not have a JSON form (a start time in the year
    // 10000): say so, naming the trial, rather than abort.
    absl::StatusOr<nlohmann::json> configuration =
        ApiJsonValue(trial.configuration());
    absl::StatusOr<nlohmann::json> result = ApiJsonValue(trial.merged());
    absl::StatusOr<nlohmann::json> workers = WorkersJson(trial);
    for (const auto& [field, status] :
         {std::pair<const char*, absl::Status>{"configuration",
                                               configuration.status()},
          {"result", result.status()},
          {"workers", workers.status()}}) {
      if (status.ok()) continue;
      err << "scalebench results: " << trial.key().trial() << ": " << field
          << ": cannot be shown as JSON: " << status.message() << "\n";
      return kExitRunFailed;
    }
    nlohmann::json item;
    item["trial"] = trial.key().trial();
    // The CSV's trial_id, so a row and its object are found by one name.
    if (absl::StatusOr<api::TrialRef> ref =
            api::ParseTrialName(trial.key().trial());
        ref.ok()) {
      item["trial_id"] = api::TrialShortName(ref->experiment_id, ref->trial);
    }
    item["configuration"] = *std::move(configuration);
    item["result"] = *std::move(result);
    item["requests_per_s"] = trial.requests_per_s();
    item["error_rate"] = trial.error_rate();
    item["start_skew_us"] = skew_us;
    item["start_skew_uncertainty_us"] =
        Us(trial.merged().start_skew_uncertainty());
    item["estimated_start_spread_us"] = Us(trial.estimated_start_spread());
    item["estimated_start_spread_uncertainty_us"] =
        Us(trial.estimated_start_spread_uncertainty());
    if (trial.has_observed_start_spread()) {
      item["observed_start_spread_us"] = Us(trial.observed_start_spread());
    }
    if (trial.has_start_time()) {
      item["start_time"] = InstantText(trial.start_time());
    }
    item["nested"] = trial.nested();
    item["workers"] = *std::move(workers);
    list.push_back(std::move(item));
  }
  // Replaces invalid UTF-8 rather than throwing on it.
  out << list.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
      << "\n";
  return kExitOk;
}

// The x-th quantile (0 < q <= 1) of `sorted` by nearest rank: the smallest
// value with at least q of the values at or below it.
double NearestRank(const std::vector<double>& sorted, double q) {
  const size_t rank =
      static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::max<size_t>(rank, 1) - 1];
}

}  // namespace

namespace {

// A duration given in microseconds, as ReadableDuration writes it.
std::string MicrosecondsText(double us) {
  return ReadableDuration(absl::Microseconds(us));
}

// "p50 300 µs, p99 900 µs, max 1.20 ms" of `values` in microseconds
// (sorted here).
std::string Percentiles(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return absl::StrCat("p50 ", MicrosecondsText(NearestRank(values, 0.5)),
                      ", p99 ", MicrosecondsText(NearestRank(values, 0.99)),
                      ", max ", MicrosecondsText(values.back()));
}

}  // namespace

std::string SkewLine(const std::vector<v1::TrialResult>& trials) {
  std::vector<double> skews_us;
  double uncertainty_us = 0;
  for (const v1::TrialResult& trial : trials) {
    skews_us.push_back(Us(trial.max_start_skew()));
    uncertainty_us =
        std::max(uncertainty_us, Us(trial.merged().start_skew_uncertainty()));
  }
  if (skews_us.empty()) return "";
  std::string line =
      absl::StrCat("start skew (the largest load generator's of each trial, ",
                   skews_us.size(), " trials): ", Percentiles(skews_us));
  if (uncertainty_us > 0) {
    absl::StrAppend(&line,
                    "; each true within its host's clock uncertainty (at "
                    "most ",
                    MicrosecondsText(uncertainty_us), ")");
  }
  return line + "\n";
}

std::string SpreadLine(const std::vector<v1::TrialResult>& trials) {
  std::vector<double> estimated_us, observed_us;
  double uncertainty_us = 0;
  for (const v1::TrialResult& trial : trials) {
    // Several load generators: their sources are joined with commas.
    if (!absl::StrContains(trial.merged().source(), ',')) continue;
    estimated_us.push_back(Us(trial.estimated_start_spread()));
    uncertainty_us = std::max(uncertainty_us,
                              Us(trial.estimated_start_spread_uncertainty()));
    if (trial.has_observed_start_spread()) {
      observed_us.push_back(Us(trial.observed_start_spread()));
    }
  }
  if (estimated_us.empty()) return "";
  std::string line = absl::StrCat(
      "start spread (the latest load generator's start minus the earliest, ",
      estimated_us.size(), " trials with several): estimated ",
      Percentiles(estimated_us), " (± at most ",
      MicrosecondsText(uncertainty_us), "); ");
  if (observed_us.empty()) {
    absl::StrAppend(&line, "not observed (no balancer's host saw them all)");
  } else {
    absl::StrAppend(&line, "observed by the balancer's host in ",
                    observed_us.size(), ": ", Percentiles(observed_us));
  }
  return line + "\n";
}

std::string NestedLine(const std::vector<v1::TrialResult>& trials) {
  constexpr size_t kListed = 5;
  std::vector<std::string> nested;
  for (const v1::TrialResult& trial : trials) {
    if (!trial.nested()) continue;
    absl::StatusOr<api::TrialRef> ref =
        api::ParseTrialName(trial.key().trial());
    nested.push_back(ref.ok()
                         ? api::TrialShortName(ref->experiment_id, ref->trial)
                         : trial.key().trial());
  }
  if (nested.empty()) return "";
  std::string which;
  if (nested.size() == trials.size()) {
    which = nested.size() == 1 ? "the trial"
                               : absl::StrCat("all ", nested.size(), " trials");
  } else {
    const size_t listed = std::min(nested.size(), kListed);
    which = absl::StrCat(
        nested.size(), " of ", trials.size(), " trials (",
        absl::StrJoin(nested.begin(), nested.begin() + listed, ", "),
        nested.size() > listed ? ", ..." : "", ")");
  }
  return absl::StrCat(
      "nested: ", which,
      " ran on a host that is itself a virtual machine: the throughput "
      "shows that the code path works, not how fast the platform is\n");
}

std::string SharedCoresLine(const std::vector<v1::TrialResult>& trials) {
  size_t sharing = 0;
  std::string example;
  for (const v1::TrialResult& trial : trials) {
    const std::vector<results::SharedCore> shared = results::SharedCores(trial);
    if (shared.empty()) continue;
    ++sharing;
    if (!example.empty()) continue;
    absl::StatusOr<api::TrialRef> ref =
        api::ParseTrialName(trial.key().trial());
    example = absl::StrCat(
        ref.ok() ? api::TrialShortName(ref->experiment_id, ref->trial)
                 : trial.key().trial(),
        " on ", shared[0].worker_id, ": core ", shared[0].cpu, " for ",
        absl::StrJoin(shared[0].roles, ", "));
  }
  if (sharing == 0) return "";
  const std::string which =
      sharing == trials.size()
          ? (sharing == 1 ? "the trial"
                          : absl::StrCat("all ", sharing, " trials"))
          : absl::StrCat(sharing, " of ", trials.size(), " trials");
  return absl::StrCat(
      "overcommitted: ", which, " ran several processes on one core (", example,
      "): the throughput shows how this machine shares its cores, not how "
      "the platform scales; give the hosts more cores, or sweep fewer "
      "instances\n");
}

std::string ErrorsLine(const std::vector<v1::TrialResult>& trials) {
  size_t with_errors = 0;
  const v1::TrialResult* worst = nullptr;
  for (const v1::TrialResult& trial : trials) {
    if (trial.error_rate() <= 0) continue;
    ++with_errors;
    if (worst == nullptr || trial.error_rate() > worst->error_rate()) {
      worst = &trial;
    }
  }
  if (worst == nullptr) return "";
  absl::StatusOr<api::TrialRef> ref = api::ParseTrialName(worst->key().trial());
  return absl::StrCat(
      "errors: ", with_errors, " of ", trials.size(),
      " trials had failed requests, at most ",
      absl::StrFormat("%.3g%%", worst->error_rate() * 100), " (",
      ref.ok() ? api::TrialShortName(ref->experiment_id, ref->trial)
               : worst->key().trial(),
      "); requests/s counts 2xx responses only\n");
}

namespace {

int PrintTable(const std::string& name, const ExportedResults& exported,
               const TableOptions& options, std::ostream& out,
               std::ostream& err) {
  if (exported.trials.empty()) {
    out << name << ": no trial results yet\n";
  } else {
    absl::StatusOr<std::vector<results::ConfigurationSummary>> rates =
        results::SummarizeByConfiguration(exported.trials, "requests_per_s");
    absl::StatusOr<std::vector<results::ConfigurationSummary>> p99s =
        results::SummarizeByConfiguration(exported.trials, "latency_p99_us");
    if (!rates.ok() || !p99s.ok()) {
      err << "scalebench results: "
          << (rates.ok() ? p99s.status() : rates.status()).message() << "\n";
      return kExitRunFailed;
    }
    std::vector<ConfigurationRow> rows;
    for (size_t i = 0; i < rates->size(); ++i) {
      const results::ConfigurationSummary& rate = (*rates)[i];
      ConfigurationRow& row = rows.emplace_back();
      row.configuration = rate.configuration;
      row.n = rate.n;
      row.requests_per_s = rate.summary.median;
      if (rate.summary.median_ci.has_value()) {
        row.interval = rate.summary.median_ci->interval;
      }
      row.p99_us = (*p99s)[i].summary.median;
    }
    // The table keeps its rows whole (--wide may be wider than
    // kTextWidth); the lines under it are broken to fit.
    out << ConfigurationTable(rows, options)
        << WrapLines(absl::StrCat(
               SkewLine(exported.trials), SpreadLine(exported.trials),
               NestedLine(exported.trials), SharedCoresLine(exported.trials),
               ErrorsLine(exported.trials)));
  }
  for (const std::vector<v1::ModelFit>& model :
       GroupFitsByModel(exported.fits)) {
    out << "\n";
    PrintText(name, model, out);
  }
  return kExitOk;
}

}  // namespace

absl::StatusOr<ExportedResults> ExportResults(CoordinatorClient& client,
                                              const std::string& name,
                                              bool include_raw) {
  v1::ExportResultsRequest request;
  request.set_name(name);
  request.set_include_raw(include_raw);
  grpc::ClientContext context;
  CoordinatorClient::SetDeadline(context, kExportDeadline);
  std::unique_ptr<grpc::ClientReader<v1::ExportResultsResponse>> reader =
      client.stub().ExportResults(&context, request);
  ExportedResults exported;
  absl::flat_hash_set<std::string> seen;  // Trials, each kept once.
  v1::ExportResultsResponse response;
  while (reader->Read(&response)) {
    for (v1::TrialResult& trial : *response.mutable_results()) {
      if (!seen.insert(trial.key().trial()).second) continue;
      exported.trials.push_back(std::move(trial));
    }
    for (v1::ModelFit& fit : *response.mutable_fits()) {
      exported.fits.push_back(std::move(fit));
    }
  }
  absl::Status status = FromGrpcStatus(reader->Finish());
  if (!status.ok()) return status;
  return exported;
}

std::vector<std::vector<v1::ModelFit>> GroupFitsByModel(
    const std::vector<v1::ModelFit>& fits) {
  std::vector<std::vector<v1::ModelFit>> models;
  for (const v1::ModelFit& fit : fits) {
    if (models.empty() || models.back().front().spec().SerializeAsString() !=
                              fit.spec().SerializeAsString()) {
      models.emplace_back();
    }
    models.back().push_back(fit);
  }
  return models;
}

void AddResultsFlags(CLI::App& results, ResultsFlags* flags) {
  results.add_option("EXPERIMENT", flags->experiment, "the experiment")
      ->type_name("EXPERIMENT")
      ->required();
  AddOutputOption(
      results, &flags->output,
      {OutputFormat::kText, OutputFormat::kCsv, OutputFormat::kJson})
      ->description(
          "output format: table (the default; text is the same), csv, json");
  results.add_flag("--wide", flags->wide,
                   "table: every factor as a column, also those common to "
                   "all configurations");
  AddClientFlags(results, &flags->client);
  results.footer(absl::StrCat(
      kResultsManual, kClientManual,
      "\nExamples:\n  scalebench results exp-000001\n"
      "  scalebench results exp-000001 --wide\n"
      "  scalebench results exp-000001 --output csv > results.csv\n"
      "  scalebench results experiments/exp-000001 --output json\n"));
}

int RunResults(const ResultsFlags& flags, std::ostream& out,
               std::ostream& err) {
  absl::StatusOr<std::string> name = ExperimentNameArgument(flags.experiment);
  if (!name.ok()) {
    err << "scalebench results: " << name.status().message() << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<std::unique_ptr<CoordinatorClient>> client =
      ConnectForCommand("results", flags.client, err);
  if (!client.ok()) return kExitBadInput;
  // Only JSON lists what each host reported.
  // The hosts' raw results: the JSON shows them, and the table's lines
  // read from them which cores were shared. The CSV needs none.
  absl::StatusOr<ExportedResults> exported = ExportResults(
      **client, *name, /*include_raw=*/flags.output != OutputFormat::kCsv);
  if (!exported.ok()) {
    return (*client)->Fail(exported.status());
  }
  switch (flags.output) {
    case OutputFormat::kCsv:
      return PrintCsv(*exported, out, err);
    case OutputFormat::kJson:
      return PrintJson(*exported, out, err);
    default: {
      TableOptions options;
      options.wide = flags.wide;
      return PrintTable(*name, *exported, options, out, err);
    }
  }
}

}  // namespace scalebench::cli
