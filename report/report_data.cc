#include "report/report_data.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "analysis/fit_words.h"
#include "analysis/model.h"
#include "analysis/model_fit.h"
#include "analysis/model_registry.h"
#include "analysis/repetition_stats.h"
#include "analysis/row_selector.h"
#include "analysis/row_table.h"
#include "api/enum_names.h"
#include "api/resource_names.h"
#include "api/result_columns.h"
#include "common/number_text.h"
#include "platforms/registry.h"
#include "results/repetitions.h"
#include "results/trial_rows.h"
#include "spec/grid.h"

namespace scalebench::report {
namespace {

constexpr char kThroughput[] = "requests_per_s";
constexpr int kSkewBins = 12;
// At least this many bins, padded on both sides of the values, so that
// skews that are all alike still read as a histogram, not one bar.
constexpr int kMinSkewBins = 7;

std::string Timestamp(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

// One line per fit for the summary.
std::string FitVerdict(const v1::ModelFit& fit) {
  const std::string group = analysis::GroupLabel(fit);
  std::string line = absl::StrCat(analysis::ModelName(fit.spec()), " ",
                                  fit.spec().y(), " ~ ", fit.spec().x());
  if (!group.empty()) absl::StrAppend(&line, " (", group, ")");
  if (!fit.error().empty())
    return absl::StrCat(line, ": not fitted: ", fit.error());
  absl::StrAppend(&line, ": n ", fit.n());
  if (fit.has_r2()) absl::StrAppend(&line, ", R² ", ReadableNumber(fit.r2()));
  // A cross-host test's verdict has a summary line of its own.
  if (fit.has_cross_host()) return line;
  if (absl::StatusOr<const analysis::Model*> model =
          analysis::FindModel(fit.spec().fit());
      model.ok()) {
    absl::StrAppend(&line, ": ", analysis::FitInWords(**model, fit));
  }
  return line;
}

RunSummary Summarize(const RunInput& run) {
  const v1::Experiment& e = run.experiment;
  RunSummary s;
  s.name = ShortName(e.name());
  s.spec_name = e.spec().name();
  s.state = api::EnumName(e.state());
  s.create_time = Timestamp(e.create_time());
  s.start_time = Timestamp(e.start_time());
  s.end_time = Timestamp(e.end_time());
  s.trials_total = static_cast<int>(e.progress().trials_total());
  s.trials_succeeded = static_cast<int>(e.progress().trials_succeeded());
  s.trials_failed = static_cast<int>(e.progress().trials_failed());
  s.results = static_cast<int>(run.trials.size());
  std::set<std::string> workers;
  for (const v1::TrialResult& t : run.trials) {
    if (t.nested()) ++s.nested_trials;
    for (const v1::WorkerResult& w : t.raw()) workers.insert(w.worker_id());
  }
  s.workers.assign(workers.begin(), workers.end());
  for (const v1::ModelFit& fit : run.fits) {
    s.fit_verdicts.push_back(FitVerdict(fit));
    if (fit.has_cross_host()) {
      s.cross_host_verdicts.push_back(fit.cross_host().verdict());
      if (fit.cross_host().has_saturation())
        s.saturations.push_back(fit.cross_host().saturation());
    }
  }
  s.fits = run.fits;
  return s;
}

// A run's trials as rows, with the columns a figure needs found.
struct Rows {
  std::string run;
  const std::vector<v1::TrialResult>* trials = nullptr;
  analysis::RowTable table;
};

absl::StatusOr<Rows> MakeRows(const RunInput& input) {
  absl::StatusOr<analysis::RowTable> table =
      results::TrialRowTable(input.trials);
  if (!table.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        ShortName(input.experiment.name()), ": ", table.status().message()));
  }
  return Rows{ShortName(input.experiment.name()), &input.trials,
              *std::move(table)};
}

double NumberAt(const analysis::RowTable& table, size_t row,
                const std::string& column) {
  const std::optional<int> c = table.FindColumn(column);
  if (!c.has_value()) return NAN;
  const analysis::Cell& cell = table.cell(row, *c);
  return cell.number.value_or(NAN);
}

const std::string& TextAt(const analysis::RowTable& table, size_t row,
                          const std::string& column) {
  static const std::string kEmpty;
  const std::optional<int> c = table.FindColumn(column);
  return c.has_value() ? table.cell(row, *c).text : kEmpty;
}

// Whether factor `column` moves with figure axis `x` by construction
// (vcpus_total = instances x vcpus), so that it would split each x into
// its own series: vcpus_total on an instances or vcpus axis, instances on
// a vcpus_total axis.
bool MovesWithX(const std::string& column, const std::string& x) {
  if (column == x) return true;
  if (column == "vcpus_total") return x == "instances" || x == "vcpus";
  if (column == "instances") return x == "vcpus_total";
  return false;
}

// The factor cells of row `r` for `columns`.
std::vector<std::string> CellsAt(const analysis::RowTable& table, size_t r,
                                 const std::vector<std::string>& columns) {
  std::vector<std::string> cells;
  for (const std::string& column : columns)
    cells.push_back(TextAt(table, r, column));
  return cells;
}

// The factors a figure over `x` tells its series apart by: those whose
// cells differ among the rows of all runs, but not x's own (MovesWithX),
// and not algorithm where the balancer already decides it.
std::vector<std::string> SeriesFactors(const std::vector<Rows>& rows,
                                       const std::string& x) {
  std::vector<std::string> columns;
  for (const char* column : api::FactorColumns()) {
    if (MovesWithX(column, x)) continue;
    std::set<std::string> seen;
    for (const Rows& run : rows) {
      for (size_t r = 0; r < run.table.row_count(); ++r)
        seen.insert(TextAt(run.table, r, column));
    }
    if (seen.size() > 1) columns.push_back(column);
  }
  const auto algorithm = std::find(columns.begin(), columns.end(), "algorithm");
  if (algorithm == columns.end()) return columns;
  std::vector<std::string> without(columns.begin(), algorithm);
  without.insert(without.end(), algorithm + 1, columns.end());
  std::set<std::vector<std::string>> with_keys, without_keys;
  for (const Rows& run : rows) {
    for (size_t r = 0; r < run.table.row_count(); ++r) {
      with_keys.insert(CellsAt(run.table, r, columns));
      without_keys.insert(CellsAt(run.table, r, without));
    }
  }
  return with_keys.size() == without_keys.size() ? without : columns;
}

// Per row of `rows`: whether it is a held-out test row of a cross-host fit
// of (x, y) in `fits`, i.e. matches the fit's test filter and its group.
std::vector<bool> TestRows(const Rows& rows,
                           const std::vector<v1::ModelFit>& fits,
                           const std::string& x, const std::string& y) {
  std::vector<bool> test(rows.table.row_count(), false);
  for (const v1::ModelFit& fit : fits) {
    if (fit.spec().x() != x || fit.spec().y() != y || !fit.spec().has_test())
      continue;
    v1::RowFilter filter = fit.spec().test();
    for (const auto& [column, value] : fit.group()) {
      (*filter.mutable_factors())[column].add_values(value);
    }
    absl::StatusOr<analysis::RowSelector> selector =
        analysis::RowSelector::Create(filter, rows.table, "test");
    if (!selector.ok()) continue;  // the fit names what the rows lack
    for (size_t r = 0; r < test.size(); ++r) {
      if (selector->Matches(rows.table, r)) test[r] = true;
    }
  }
  return test;
}

std::vector<Series> MakeSeries(const Rows& rows, const std::string& x_column,
                               const std::string& y_column,
                               const std::vector<std::string>& factors,
                               const std::vector<bool>& test) {
  // Series by the cells of `factors` in order of first appearance; within
  // one, values by configuration index.
  std::vector<Series> series;
  std::map<std::vector<std::string>, size_t> index;
  std::vector<std::map<uint32_t, std::vector<double>>> by_configuration;
  std::vector<std::map<uint32_t, double>> x_of;
  for (size_t r = 0; r < rows.table.row_count(); ++r) {
    const double x = NumberAt(rows.table, r, x_column);
    const double y = NumberAt(rows.table, r, y_column);
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    const std::vector<std::string> key = CellsAt(rows.table, r, factors);
    auto [it, inserted] = index.emplace(key, series.size());
    if (inserted) {
      Series s;
      s.run = rows.run;
      s.platform = TextAt(rows.table, r, "platform");
      s.balancer = TextAt(rows.table, r, "balancer");
      if (s.balancer.empty()) s.balancer = "none";
      for (size_t f = 0; f < factors.size(); ++f)
        s.factors.emplace_back(factors[f], key[f]);
      s.label = s.factors.empty() ? SeriesLabel({{"platform", s.platform},
                                                 {"balancer", s.balancer}})
                                  : SeriesLabel(s.factors);
      series.push_back(std::move(s));
      by_configuration.emplace_back();
      x_of.emplace_back();
    }
    Series& s = series[it->second];
    s.points.push_back(TrialPoint{x, y, rows.table.origin(r), test[r]});
    const uint32_t config = (*rows.trials)[r].configuration().index();
    by_configuration[it->second][config].push_back(y);
    x_of[it->second][config] = x;
  }
  for (size_t i = 0; i < series.size(); ++i) {
    for (const auto& [config, values] : by_configuration[i]) {
      absl::StatusOr<analysis::RepetitionSummary> summary =
          analysis::SummarizeRepetitions(values);
      if (!summary.ok()) continue;  // values are finite: cannot happen
      ConfigurationPoint p;
      p.x = x_of[i][config];
      p.n = summary->n;
      p.median = summary->median;
      if (summary->median_ci.has_value()) {
        p.is_ci = true;
        p.low = summary->median_ci->interval.low;
        p.high = summary->median_ci->interval.high;
      } else {
        p.low = *std::min_element(values.begin(), values.end());
        p.high = *std::max_element(values.begin(), values.end());
      }
      series[i].configurations.push_back(p);
    }
    std::stable_sort(series[i].configurations.begin(),
                     series[i].configurations.end(),
                     [](const ConfigurationPoint& a,
                        const ConfigurationPoint& b) { return a.x < b.x; });
  }
  return series;
}

std::vector<double> Grid(double low, double high) {
  std::vector<double> grid;
  for (int i = 0; i < kCurveGridPoints; ++i) {
    grid.push_back(low + (high - low) * i / (kCurveGridPoints - 1));
  }
  return grid;
}

// Says how the refit differs from the stored fit; "" when it does not.
std::string DriftNote(const v1::ModelFit& fit, const analysis::Refit& refit) {
  const std::vector<analysis::NamedEstimate> again = refit.model->Parameters();
  std::string note;
  for (int i = 0;
       i < fit.parameters_size() && i < static_cast<int>(again.size()); ++i) {
    const double stored = fit.parameters(i).estimate();
    const double value = again[i].estimate.value;
    if (std::abs(stored - value) > 1e-6 * std::max(1.0, std::abs(stored))) {
      note = absl::StrCat(
          "the refit's ", fit.parameters(i).name(), " (", ReadableNumber(value),
          ") differs from the stored fit's (", ReadableNumber(stored), ")");
    }
  }
  if (refit.n != static_cast<int>(fit.n()) && note.empty()) {
    note = absl::StrCat("refitted to ", refit.n, " rows; the stored fit had ",
                        fit.n());
  }
  return note;
}

// The curve of `fit` (drawn when it has no error), refitted to its rows of
// `rows` by analysis::RefitStoredFit, the code that made it. A cross-host
// test is fitted to its training rows and drawn over the test rows' x as
// well: they lie inside its band or not.
std::optional<ModelCurve> MakeCurve(const Rows& rows, const v1::ModelFit& fit) {
  const v1::ModelSpec& spec = fit.spec();
  if (!fit.error().empty()) return std::nullopt;
  absl::StatusOr<analysis::Refit> refit =
      analysis::RefitStoredFit(fit, rows.table);
  if (!refit.ok()) return std::nullopt;
  ModelCurve curve;
  curve.run = rows.run;
  curve.model = analysis::ModelName(spec);
  curve.group = analysis::GroupLabel(fit);
  for (const std::string& column : spec.by()) {
    const auto value = fit.group().find(column);
    if (value != fit.group().end())
      curve.group_values.emplace_back(column, value->second);
  }
  if (spec.has_train() || spec.has_test()) {
    for (const auto& [column, values] : spec.train().factors()) {
      curve.train.emplace_back(column,
                               std::vector<std::string>(values.values().begin(),
                                                        values.values().end()));
    }
    std::sort(curve.train.begin(), curve.train.end());
    curve.cross_host =
        absl::StrCat("trained on ", analysis::FormatRowFilter(spec.train()),
                     ", tested on ", analysis::FormatRowFilter(spec.test()));
  }
  curve.x = Grid(refit->x_min, refit->x_max);
  for (double x : curve.x) {
    const analysis::Prediction p = refit->model->Predict(x);
    curve.fitted.push_back(p.fitted);
    curve.band_low.push_back(p.prediction.low);
    curve.band_high.push_back(p.prediction.high);
  }
  curve.note = DriftNote(fit, *refit);
  return curve;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

void AddLatency(const Rows& rows, std::vector<LatencyRow>& out) {
  std::map<uint32_t, std::vector<size_t>> by_configuration;
  for (size_t r = 0; r < rows.table.row_count(); ++r) {
    by_configuration[(*rows.trials)[r].configuration().index()].push_back(r);
  }
  for (const auto& [config, list] : by_configuration) {
    LatencyRow row;
    row.run = rows.run;
    row.configuration = spec::DescribeConfiguration(
        (*rows.trials)[list.front()].configuration());
    row.n = static_cast<int>(list.size());
    double* fields[] = {&row.p50_us, &row.p90_us, &row.p99_us};
    const char* columns[] = {"latency_p50_us", "latency_p90_us",
                             "latency_p99_us"};
    for (int k = 0; k < 3; ++k) {
      std::vector<double> values;
      for (size_t r : list)
        values.push_back(NumberAt(rows.table, r, columns[k]));
      *fields[k] = Median(values);
    }
    out.push_back(std::move(row));
  }
}

// Labels of the latency rows: the factors that vary among them.
void LabelLatency(const std::vector<std::vector<std::string>>& factors,
                  std::vector<LatencyRow>& rows) {
  const auto columns = api::FactorColumns();
  std::vector<size_t> varying;
  for (size_t f = 0; f < columns.size(); ++f) {
    for (const std::vector<std::string>& cells : factors) {
      if (cells[f] != factors.front()[f]) {
        varying.push_back(f);
        break;
      }
    }
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    std::vector<std::string> parts;
    for (size_t f : varying) {
      if (!factors[r][f].empty())
        parts.push_back(absl::StrCat(columns[f], "=", factors[r][f]));
    }
    rows[r].label =
        parts.empty() ? rows[r].configuration : absl::StrJoin(parts, " ");
  }
}

SkewHistogram MakeSkewHistogram(const std::vector<SkewValue>& values,
                                const std::vector<std::string>& runs) {
  SkewHistogram h;
  h.runs = runs;
  h.counts.assign(runs.size(), {});
  if (values.empty()) return h;
  double low = values.front().skew_us;
  double high = low;
  for (const SkewValue& v : values) {
    low = std::min(low, v.skew_us);
    high = std::max(high, v.skew_us);
  }
  // Round the bin width up to 1, 2 or 5 times a power of ten.
  const double raw = std::max((high - low) / kSkewBins, 1.0);
  const double decade = std::pow(10, std::floor(std::log10(raw)));
  double width = decade;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * decade >= raw) {
      width = m * decade;
      break;
    }
  }
  double start = std::floor(low / width) * width;
  int bins = static_cast<int>(std::floor((high - start) / width)) + 1;
  if (bins < kMinSkewBins) {
    start -= (kMinSkewBins - bins) / 2 * width;
    bins = kMinSkewBins;
  }
  for (int i = 0; i <= bins; ++i) h.edges.push_back(start + i * width);
  h.counts.assign(runs.size(), std::vector<int>(bins, 0));
  for (const SkewValue& v : values) {
    const size_t run =
        std::find(runs.begin(), runs.end(), v.run) - runs.begin();
    int bin = static_cast<int>(std::floor((v.skew_us - start) / width));
    bin = std::clamp(bin, 0, bins - 1);
    if (run < runs.size()) ++h.counts[run][bin];
  }
  return h;
}

}  // namespace

std::vector<std::string> HostFactCells(const HostRow& host) {
  if (!host.facts.has_value()) return {"", "", "", ""};
  const v1::HostFacts& f = *host.facts;
  std::vector<std::string> platform_names;
  for (int p : f.platforms()) {
    platform_names.push_back(
        platforms::PlatformName(static_cast<v1::Platform>(p)));
  }
  std::vector<std::string> balancers;
  for (int b : f.balancers()) {
    balancers.push_back(api::EnumName(static_cast<v1::BalancerKind>(b)));
  }
  return {absl::StrJoin(f.addresses(), " "), absl::StrJoin(f.cpus(), ","),
          absl::StrJoin(platform_names, " "), absl::StrJoin(balancers, " ")};
}

std::string SeriesLabel(
    const std::vector<std::pair<std::string, std::string>>& factors) {
  std::vector<std::string> parts;
  for (const auto& [column, cell] : factors) {
    if (column == "balancer") {
      parts.push_back(cell.empty() || cell == "none" ? "no balancer" : cell);
    } else if (column == "platform" || column == "algorithm") {
      if (!cell.empty()) parts.push_back(cell);
    } else {
      parts.push_back(absl::StrCat(column, " ", cell.empty() ? "-" : cell));
    }
  }
  return absl::StrJoin(parts, ", ");
}

std::string ShortName(const std::string& experiment_name) {
  absl::string_view name = experiment_name;
  absl::ConsumePrefix(&name, "experiments/");
  return std::string(name);
}

absl::StatusOr<ReportData> AssembleReport(const ReportInput& input) {
  ReportData data;
  data.run = Summarize(input.run);
  std::vector<const RunInput*> inputs = {&input.run};
  if (input.baseline.has_value()) {
    data.baseline = Summarize(*input.baseline);
    inputs.push_back(&*input.baseline);
  }
  std::vector<Rows> rows;
  for (const RunInput* run : inputs) {
    absl::StatusOr<Rows> r = MakeRows(*run);
    if (!r.ok()) return r.status();
    rows.push_back(*std::move(r));
  }
  // The figures: throughput against instances and vcpus_total, then every
  // other (x, y) a drawable model names.
  std::vector<std::pair<std::string, std::string>> axes = {
      {"instances", kThroughput}, {"vcpus_total", kThroughput}};
  for (const RunInput* run : inputs) {
    for (const v1::ModelFit& fit : run->fits) {
      const auto xy = std::make_pair(fit.spec().x(), fit.spec().y());
      if (std::find(axes.begin(), axes.end(), xy) == axes.end())
        axes.push_back(xy);
    }
  }
  for (const auto& [x, y] : axes) {
    ScatterFigure figure;
    figure.x_column = x;
    figure.y_column = y;
    const std::vector<std::string> factors = SeriesFactors(rows, x);
    for (size_t i = 0; i < rows.size(); ++i) {
      for (Series& s : MakeSeries(rows[i], x, y, factors,
                                  TestRows(rows[i], inputs[i]->fits, x, y)))
        figure.series.push_back(std::move(s));
      for (const v1::ModelFit& fit : inputs[i]->fits) {
        if (fit.spec().x() != x || fit.spec().y() != y) continue;
        std::optional<ModelCurve> curve = MakeCurve(rows[i], fit);
        if (curve.has_value()) figure.curves.push_back(*std::move(curve));
      }
    }
    const bool is_default =
        y == kThroughput && (x == "instances" || x == "vcpus_total");
    if (!figure.series.empty() || is_default)
      data.figures.push_back(std::move(figure));
  }
  std::vector<std::string> run_names;
  for (size_t i = 0; i < rows.size(); ++i) {
    AddLatency(rows[i], data.latency);
    run_names.push_back(rows[i].run);
    for (size_t r = 0; r < rows[i].table.row_count(); ++r) {
      const analysis::RowTable& table = rows[i].table;
      data.skew.push_back(SkewValue{
          rows[i].run, table.origin(r), NumberAt(table, r, "start_skew_us"),
          NumberAt(table, r, "start_skew_uncertainty_us"),
          NumberAt(table, r, "start_spread_us"),
          NumberAt(table, r, "observed_start_spread_us")});
    }
    std::set<std::string> seen;
    for (const v1::TrialResult& t : inputs[i]->trials) {
      for (const v1::WorkerResult& w : t.raw()) {
        if (!w.has_environment() || !seen.insert(w.worker_id()).second)
          continue;
        HostRow host{rows[i].run, w.worker_id(), w.environment(), std::nullopt};
        for (const v1::Worker& known : input.workers) {
          if (known.name() == absl::StrCat("workers/", w.worker_id())) {
            host.facts = known.facts();
          }
        }
        data.hosts.push_back(std::move(host));
      }
    }
  }
  data.skew_histogram = MakeSkewHistogram(data.skew, run_names);
  std::vector<std::vector<std::string>> latency_factors;
  for (const RunInput* run : inputs) {
    std::map<uint32_t, const v1::Configuration*> by_index;
    for (const v1::TrialResult& t : run->trials) {
      by_index.emplace(t.configuration().index(), &t.configuration());
    }
    for (const auto& [index, configuration] : by_index) {
      latency_factors.push_back(api::FactorCells(*configuration));
    }
  }
  LabelLatency(latency_factors, data.latency);
  if (input.baseline.has_value()) {
    if (input.run.trials.empty() || input.baseline->trials.empty()) {
      data.comparison_error = "one of the runs has no trial results";
    } else {
      absl::StatusOr<results::RunsComparison> comparison =
          results::CompareTrialResults(input.baseline->trials,
                                       input.run.trials);
      if (comparison.ok()) {
        data.comparison = *std::move(comparison);
      } else {
        data.comparison_error = std::string(comparison.status().message());
      }
    }
  }
  return data;
}

}  // namespace scalebench::report
