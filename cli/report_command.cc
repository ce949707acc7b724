#include "cli/report_command.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/compare_command.h"
#include "cli/results_command.h"
#include "cli/status_command.h"
#include "common/exit_codes.h"
#include "common/grpc_status.h"
#include "report/report_csv.h"
#include "report/report_data.h"
#include "report/report_html.h"

namespace scalebench::cli {
namespace {

constexpr char kReportManual[] =
    R"(Writes one HTML page about EXPERIMENT for people reading results in
figures: open it in any browser, also offline (every script and style is
inside the file; nothing is fetched). The page has:

  summary     what ran (spec, state, when, which workers), the model
              fits' verdicts, the cross-host verdicts and saturation, the
              nested flag; with --compare, the comparison's verdict first
  throughput  requests_per_s against instances and against vcpus_total,
              one series per combination of the factors that vary (e.g.
              "haproxy, hosts 2"): every trial as a cross, a cross-host
              model's held-out test trials as hollow diamonds, each
              configuration's median joined by a line and its
              distribution-free 95% interval shaded (from 6 trials on;
              below that the min-max range, marked as such), and the
              spec's models refitted to the same trials with their 95%
              prediction band (USL/Amdahl: by the delta method)
  latency     p50/p90/p99 per configuration (median over its trials of
              each trial's percentile from its merged histogram)
  start skew  a histogram of the trials' start skews
  hosts       each worker's host environment (CPU, kernel, versions, ...)
  models      each fit as tables: parameters with their 95% intervals,
              statistics, a cross-host test's predictions, its verdict

With --compare BASELINE: both runs in every chart, and the comparison of
`scalebench compare BASELINE EXPERIMENT` (requests_per_s, 3%, alpha 0.05)
under the summary, its verdict at the top, the regressions highlighted.

Every figure's data is also written as CSV beside the page: for --out
r.html, r-throughput.csv, r-latency.csv, r-skew.csv, r-hosts.csv (and
r-comparison.csv); the page links them. docs/report.md has the details.

The charts are drawn by Chart.js, read from Debian's libjs-chart.js
(--chartjs names another copy).

Exit status: 0 the page is written, also for an experiment without results
(the page says it has none) and whatever the comparison found (use
`scalebench compare` to gate on regressions); 1 the coordinator cannot be
reached, or Chart.js is missing; 2 a wrong argument, an unknown
experiment, or an --out that cannot be written.

)";

// The run's experiment and results, or the exit code after saying why.
absl::StatusOr<report::RunInput> Fetch(CoordinatorClient& client,
                                       const std::string& name,
                                       int* exit_code) {
  absl::StatusOr<v1::Experiment> experiment = client.GetExperiment(name);
  if (!experiment.ok()) {
    *exit_code = client.Fail(experiment.status());
    return experiment.status();
  }
  absl::StatusOr<ExportedResults> exported =
      ExportResults(client, name, /*include_raw=*/true);
  if (!exported.ok()) {
    *exit_code = client.Fail(exported.status());
    return exported.status();
  }
  report::RunInput run;
  run.experiment = *std::move(experiment);
  run.trials = std::move(exported->trials);
  run.fits = std::move(exported->fits);
  return run;
}

bool Ended(v1::ExperimentState state) {
  return state != v1::EXPERIMENT_STATE_PENDING &&
         state != v1::EXPERIMENT_STATE_RUNNING &&
         state != v1::EXPERIMENT_STATE_CANCELLING;
}

// Writes `content` to `path`; false after saying why.
bool WriteFile(const std::string& path, const std::string& content,
               std::ostream& err) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (file) file << content;
  if (file) file.flush();
  if (!file) {
    err << "scalebench report: --out: cannot write '" << path
        << "': " << std::strerror(errno) << "\n";
    return false;
  }
  return true;
}

int WriteReport(const ReportFlags& flags, const std::string& name,
                const std::optional<std::string>& baseline, absl::Time now,
                report::RenderOptions& options, std::ostream& out,
                std::ostream& err);

}  // namespace

void AddReportFlags(CLI::App& report, ReportFlags* flags) {
  report
      .add_option("EXPERIMENT", flags->experiment,
                  "the experiment to report on (with --compare: the contender)")
      ->required();
  report
      .add_option("--compare", flags->baseline,
                  "an experiment to compare with (the baseline, before)")
      ->type_name("BASELINE");
  report
      .add_option("--out", flags->out,
                  "the HTML file to write; the CSVs go beside it")
      ->type_name("FILE")
      ->required();
  report
      .add_option("--chartjs", flags->chartjs,
                  absl::StrCat("Chart.js 3 to inline (default ",
                               kDefaultChartJs, ", Debian's libjs-chart.js)"))
      ->type_name("FILE");
  AddClientFlags(report, &flags->client);
  report.footer(absl::StrCat(
      kReportManual, kClientManual,
      "\nExamples:\n"
      "  # one experiment: report.html, report-throughput.csv, ...\n"
      "  scalebench report exp-000042 --out report.html\n"
      "  # last night against the night before, both in every chart\n"
      "  scalebench report exp-000042 --compare exp-000041 --out night.html\n"
      "  # then open it: xdg-open night.html (or copy it anywhere: it is one "
      "file)\n"));
}

int RunReport(const ReportFlags& flags, const CommandEnv& env) {
  std::ostream& err = env.err;
  absl::StatusOr<std::string> name = ExperimentNameArgument(flags.experiment);
  if (!name.ok()) {
    err << "scalebench report: " << name.status().message() << "\n";
    return kExitBadInput;
  }
  std::optional<std::string> baseline;
  if (!flags.baseline.empty()) {
    absl::StatusOr<std::string> b = ExperimentNameArgument(flags.baseline);
    if (!b.ok()) {
      err << "scalebench report: --compare: " << b.status().message() << "\n";
      return kExitBadInput;
    }
    baseline = *std::move(b);
  }
  report::RenderOptions options;
  {
    std::ifstream file(flags.chartjs, std::ios::binary);
    std::ostringstream text;
    if (file) text << file.rdbuf();
    if (!file || text.str().empty()) {
      err << "scalebench report: cannot read Chart.js from '" << flags.chartjs
          << "': install Debian's libjs-chart.js (apt-get install "
             "libjs-chart.js) or name a copy with --chartjs\n";
      return kExitRunFailed;
    }
    options.chartjs = text.str();
  }
  // Fail on an unwritable --out before asking the coordinator anything,
  // without truncating a page that is there; remove it again if this run
  // made it and then fails.
  const bool existed = access(flags.out.c_str(), F_OK) == 0;
  {
    std::ofstream probe(flags.out, std::ios::app);
    if (!probe) {
      err << "scalebench report: --out: cannot write '" << flags.out
          << "': " << std::strerror(errno) << "\n";
      return kExitBadInput;
    }
  }
  const int exit_code = WriteReport(flags, *name, baseline, env.clock.Wall(),
                                    options, env.out, err);
  if (exit_code != kExitOk && !existed) std::remove(flags.out.c_str());
  return exit_code;
}

namespace {

int WriteReport(const ReportFlags& flags, const std::string& name,
                const std::optional<std::string>& baseline, absl::Time now,
                report::RenderOptions& options, std::ostream& out,
                std::ostream& err) {
  absl::StatusOr<std::unique_ptr<CoordinatorClient>> client =
      ConnectForCommand("report", flags.client, err);
  if (!client.ok()) return kExitBadInput;
  int exit_code = kExitRunFailed;
  report::ReportInput input;
  absl::StatusOr<report::RunInput> run = Fetch(**client, name, &exit_code);
  if (!run.ok()) return exit_code;
  input.run = *std::move(run);
  if (baseline.has_value()) {
    absl::StatusOr<report::RunInput> b = Fetch(**client, *baseline, &exit_code);
    if (!b.ok()) return exit_code;
    input.baseline = *std::move(b);
  }
  {
    // The hosts' current facts; the report goes on without them.
    v1::ListWorkersResponse response;
    const absl::Status status =
        (*client)->Call(&v1::CoordinatorService::Stub::ListWorkers,
                        v1::ListWorkersRequest(), &response);
    if (status.ok()) {
      input.workers.assign(response.workers().begin(),
                           response.workers().end());
    } else {
      err << "scalebench report: warning: ListWorkers: " << status.message()
          << "; the hosts' current facts are left out\n";
    }
  }
  absl::StatusOr<report::ReportData> data = report::AssembleReport(input);
  if (!data.ok()) {
    err << "scalebench report: " << data.status().message() << "\n";
    return kExitRunFailed;
  }
  if (input.baseline.has_value()) {
    if (data->comparison.has_value()) {
      std::vector<std::string> notes;
      for (const report::RunInput* r : {&*input.baseline, &input.run}) {
        if (!Ended(r->experiment.state())) {
          notes.push_back(absl::StrCat(report::ShortName(r->experiment.name()),
                                       " is ", StateName(r->experiment.state()),
                                       ": its results are partial"));
        }
      }
      std::ostringstream text;
      PrintCompareText(data->baseline->name, data->run.name, *data->comparison,
                       text, notes);
      options.compare_text = text.str();
    }
  }
  options.generated = absl::StrCat(
      "Made by scalebench report ", data->run.name,
      baseline.has_value() ? absl::StrCat(" --compare ", data->baseline->name)
                           : "",
      " at ", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", now, absl::UTCTimeZone()),
      ".");
  const std::vector<report::CsvFile> csvs = report::ReportCsvs(*data);
  std::vector<std::string> written;
  for (const report::CsvFile& csv : csvs) {
    const std::string path = report::CsvPathBeside(flags.out, csv.suffix);
    if (!WriteFile(path, csv.content, err)) return kExitBadInput;
    const size_t slash = path.find_last_of('/');
    options.csv_links.emplace_back(
        slash == std::string::npos ? path : path.substr(slash + 1), csv.title);
    written.push_back(path);
  }
  if (!WriteFile(flags.out, report::RenderHtml(*data, options), err)) {
    return kExitBadInput;
  }
  out << flags.out << "\n";
  for (const std::string& path : written) out << path << "\n";
  if (data->run.results == 0) {
    err << "scalebench report: " << data->run.name
        << " has no trial results (yet); the page says so\n";
  }
  return kExitOk;
}

}  // namespace

}  // namespace scalebench::cli
