// The figures and tables of an experiment's HTML report (`scalebench
// report`), assembled from what the coordinator stores: trial results,
// model fits, the experiment itself. Pure: no I/O, no clock, no HTML (the
// rendering is report_html.h, the CSVs report_csv.h). Stateless functions;
// thread-safe.
#ifndef SCALEBENCH_REPORT_REPORT_DATA_H_
#define SCALEBENCH_REPORT_REPORT_DATA_H_

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "results/compare_runs.h"
#include "scalebench/v1/coordinator.pb.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::report {

// Points on a fitted model's curve drawn per figure.
inline constexpr int kCurveGridPoints = 60;

// One experiment's stored material.
struct RunInput {
  // Name, spec, state and times (GetExperiment, full view).
  v1::Experiment experiment;
  // Merged trial results (ExportResults), with their raw per-worker
  // results when the hosts are to be listed.
  std::vector<v1::TrialResult> trials;
  // The experiment's model fits, as ExportResults sends them.
  std::vector<v1::ModelFit> fits;
};

// What the report covers.
struct ReportInput {
  RunInput run;
  // Set with --compare: the run `run` is compared against.
  std::optional<RunInput> baseline;
  // The workers the coordinator knows now (ListWorkers), for the facts of
  // the hosts that took part; may be empty.
  std::vector<v1::Worker> workers;
};

// One trial's value in a figure.
struct TrialPoint {
  double x = 0;
  double y = 0;
  // "exp-000001/3".
  std::string trial_id;
  // True when the trial is a held-out test row of a cross-host model drawn
  // in the figure (it matches the model's `test` filter and group): the
  // model was not fitted to it, only judged by it.
  bool test = false;
};

// One configuration's repetitions of a figure's metric at one x.
struct ConfigurationPoint {
  double x = 0;
  int n = 0;
  double median = 0;
  // The interval drawn around the median: the median's distribution-free
  // 95% interval when n >= analysis::kMinRunsForMedianInterval
  // (`is_ci`), else the smallest and largest value (not a confidence
  // interval).
  double low = 0;
  double high = 0;
  bool is_ci = false;
};

// The trials of one run that share the value of every factor that varies
// among the figure's trials, other than its x (and the factors that move
// with x: vcpus_total with instances or vcpus, instances with
// vcpus_total). Configurations that differ only in `hosts` are two series.
struct Series {
  // The experiment's short id ("exp-000001").
  std::string run;
  // The factor cells, e.g. "native", "haproxy" ("none" without one).
  std::string platform;
  std::string balancer;
  // The varying factors as (column, cell) pairs in api::FactorColumns
  // order, e.g. {{"balancer", "haproxy"}, {"hosts", "2"}}; empty when
  // nothing varies.
  std::vector<std::pair<std::string, std::string>> factors;
  // For the legend: the varying factors that tell the series apart, e.g.
  // "haproxy, hosts 2" (SeriesLabel); platform and balancer when nothing
  // varies ("native, no balancer").
  std::string label;
  // In trial order.
  std::vector<TrialPoint> points;
  // By configuration, ascending x.
  std::vector<ConfigurationPoint> configurations;
};

// A fitted model drawn over a figure's x range.
struct ModelCurve {
  std::string run;
  // "linear", "poly:2", "usl", "amdahl".
  std::string model;
  // analysis::GroupLabel of the fit; "" without `by`.
  std::string group;
  // For a cross-host test: "trained on hosts=1, tested on hosts=2,3"; the
  // curve is then fitted to the training rows and drawn over the test
  // rows' x too. Empty otherwise.
  std::string cross_host;
  // The group as (column, value) pairs: {"balancer", "haproxy"}.
  std::vector<std::pair<std::string, std::string>> group_values;
  // A cross-host test's training filter as (column, accepted cells):
  // {"hosts", {"1"}}; empty otherwise.
  std::vector<std::pair<std::string, std::vector<std::string>>> train;
  // kCurveGridPoints values from the smallest to the largest x fitted,
  // and the model there.
  std::vector<double> x;
  std::vector<double> fitted;
  // The 95% prediction interval for one new observation at each x, from
  // the model's FittedModel::Predict (analysis/model.h) of a refit to the
  // same rows as the stored fit (analysis::RefitStoredFit).
  std::vector<double> band_low;
  std::vector<double> band_high;
  // A warning that the refit differs from the stored fit; empty
  // otherwise.
  std::string note;
};

// y against x for every series, with the models fitted to them.
struct ScatterFigure {
  // Result columns (api/result_columns.h), e.g. "instances",
  // "requests_per_s".
  std::string x_column;
  std::string y_column;
  std::vector<Series> series;
  std::vector<ModelCurve> curves;
};

// Latency percentiles of one configuration: the median over its trials of
// each trial's percentile (read off the trial's merged histogram).
struct LatencyRow {
  std::string run;
  // spec::DescribeConfiguration.
  std::string configuration;
  // Only the factors whose values differ between the report's
  // configurations ("instances=2 balancer=haproxy"), for chart labels.
  std::string label;
  int n = 0;
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
};

// One trial's start skew (microseconds, signed: positive = late), its
// uncertainty, and how far apart its load generators started: estimated,
// and observed by the balancer's host (NaN when not observed).
struct SkewValue {
  std::string run;
  std::string trial_id;
  double skew_us = 0;
  double uncertainty_us = 0;
  double spread_us = 0;
  double observed_spread_us = NAN;
};

// The start skews binned for a histogram: bins [edges[i], edges[i+1]),
// the last one closed; counts per run in `runs` order.
struct SkewHistogram {
  std::vector<double> edges;
  std::vector<std::string> runs;
  std::vector<std::vector<int>> counts;
};

// A host that took part, from a worker's raw result.
struct HostRow {
  std::string run;
  std::string worker;
  // As the worker reported it with its result.
  v1::HostEnvironment environment;
  // What the worker reports about its host now (addresses, CPUs,
  // platforms); unset when the coordinator no longer knows the worker.
  std::optional<v1::HostFacts> facts;
};

// What ran and what the models say.
struct RunSummary {
  // The experiment's short id, its spec's name, its state's name.
  std::string name;
  std::string spec_name;
  std::string state;
  // RFC 3339 UTC; empty when unset.
  std::string create_time;
  std::string start_time;
  std::string end_time;
  int trials_total = 0;
  int trials_succeeded = 0;
  int trials_failed = 0;
  // Number of trial results stored.
  int results = 0;
  // The workers whose raw results are stored, sorted.
  std::vector<std::string> workers;
  // cli's NestedLine / SkewLine equivalents are rendered from `nested`.
  int nested_trials = 0;
  // One line per model fit: "linear requests_per_s ~ instances
  // (balancer = none): R² 0.98, peak ..." or the fit's error.
  std::vector<std::string> fit_verdicts;
  // The cross-host verdicts (CrossHostTest.verdict), one per such fit,
  // and the saturation found for it (CrossHostTest.saturation) where
  // there is one.
  std::vector<std::string> cross_host_verdicts;
  std::vector<std::string> saturations;
  // The fits themselves, for the Models tables.
  std::vector<v1::ModelFit> fits;
};

struct ReportData {
  RunSummary run;
  std::optional<RunSummary> baseline;
  // (instances, requests_per_s), (vcpus_total, requests_per_s), then each
  // further (x, y) a model of either run names.
  std::vector<ScatterFigure> figures;
  // Run first, then the baseline.
  std::vector<LatencyRow> latency;
  std::vector<SkewValue> skew;
  SkewHistogram skew_histogram;
  std::vector<HostRow> hosts;
  // With a baseline: results::CompareTrialResults(baseline, run) for
  // requests_per_s, or why it could not be made.
  std::optional<results::RunsComparison> comparison;
  std::string comparison_error;
};

// The host's facts as cells: its addresses, the CPUs the worker may use
// ("0,1"), its platforms and balancers (space-separated names); four
// empty cells without facts.
std::vector<std::string> HostFactCells(const HostRow& host);

// The legend text of series factors: numeric factors as "hosts 2",
// platform, balancer and algorithm by their value alone ("haproxy"; "no
// balancer" for "none" or empty), joined by ", ". A factor whose value
// follows from the others shown (algorithm from balancer) is left out by
// the caller, not here.
std::string SeriesLabel(
    const std::vector<std::pair<std::string, std::string>>& factors);

// "exp-000001" for "experiments/exp-000001".
std::string ShortName(const std::string& experiment_name);

// Assembles the report. Curves are refitted by analysis::RefitStoredFit,
// the code that made the stored fit, to the trial rows it used (its group,
// and its training rows for a cross-host test); fits that failed, or whose
// rows can no longer be fitted, are not drawn. Errors: INVALID_ARGUMENT
// when a trial cannot be made into a row (results::TrialRowCells' message,
// prefixed with the run).
absl::StatusOr<ReportData> AssembleReport(const ReportInput& input);

}  // namespace scalebench::report

#endif  // SCALEBENCH_REPORT_REPORT_DATA_H_
