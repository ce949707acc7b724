#include "report/report_html.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "analysis/repetition_stats.h"
#include "analysis/run_comparison.h"
#include "common/number_text.h"
#include "nlohmann/json.hpp"
#include "report/html_page.h"
#include "report/report_charts.h"
#include "report/report_models.h"
#include "spec/grid.h"

namespace scalebench::report {
namespace {

using nlohmann::json;

// No horizontal overflow at any width down to 800 px: the body is at most
// 1100 px and shrinks; long words break; each table and <pre> scrolls
// sideways within its own box when it is wider than the page.
constexpr char kStyle[] = R"(
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em;overflow-wrap:break-word}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}h3{font-size:1.05em;margin-top:1.5em}
.table-box{max-width:100%;overflow-x:auto}
table.hosts{width:max-content}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
td{max-width:28em;overflow-wrap:break-word}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.regression td{background:#fbd5d5;font-weight:600}tr.improvement td{background:#d5f5dd}
.chart-box{position:relative;height:440px;margin:1em 0;max-width:100%}
figure{margin:1em 0}
pre{background:#f7f7f7;padding:.8em;overflow-x:auto;max-width:100%;font-size:.82em}
.note{color:#7a4b00;background:#fff6e0;padding:.4em .8em;border-left:4px solid #e6a700}
.verdict{padding:.4em .8em;border-left:4px solid #0072b2;background:#eef6fb}
.verdict.regression{border-left-color:#d55e00;background:#fbe9e0}
figcaption{font-size:.85em;color:#555}
)";

constexpr char kInit[] = R"(
(function(){
  var specs = JSON.parse(document.getElementById('report-charts').textContent);
  specs.forEach(function(s){
    var cfg = s.config;
    cfg.options.plugins.legend.labels.filter = function(item, data){
      return !data.datasets[item.datasetIndex].hideInLegend; };
    new Chart(document.getElementById(s.id), cfg);
  });
})();
)";

// Per run: the largest start skew and its bound, and how far apart the
// load generators started, estimated and as the balancer's host observed.
void SkewSummary(const ReportData& data, Page& page) {
  struct Run {
    double largest_us = 0, uncertainty_us = 0, spread_us = 0, observed_us = 0;
    int trials = 0, observed = 0;
  };
  std::vector<std::pair<std::string, Run>> runs;
  for (const SkewValue& v : data.skew) {
    if (runs.empty() || runs.back().first != v.run) runs.push_back({v.run, {}});
    Run& run = runs.back().second;
    ++run.trials;
    if (std::isfinite(v.skew_us))
      run.largest_us = std::max(run.largest_us, std::abs(v.skew_us));
    if (std::isfinite(v.uncertainty_us))
      run.uncertainty_us = std::max(run.uncertainty_us, v.uncertainty_us);
    if (std::isfinite(v.spread_us))
      run.spread_us = std::max(run.spread_us, v.spread_us);
    if (std::isfinite(v.observed_spread_us)) {
      ++run.observed;
      run.observed_us = std::max(run.observed_us, v.observed_spread_us);
    }
  }
  if (runs.empty()) return;
  page.BeginTable("skew");
  page.Row(
      {"run", "trials", "largest |skew| (µs)", "largest uncertainty (± µs)",
       "largest estimated spread (µs)", "largest observed spread (µs)"},
      "th");
  for (const auto& [name, run] : runs) {
    page.Row({name, absl::StrCat(run.trials), ReadableNumber(run.largest_us),
              ReadableNumber(run.uncertainty_us), ReadableNumber(run.spread_us),
              run.observed == 0
                  ? "not observed"
                  : absl::StrCat(ReadableNumber(run.observed_us), " (",
                                 run.observed, " trials)")});
  }
  page.EndTable();
}

void Summary(Page& page, const RunSummary& s, const char* role) {
  page.BeginTable("summary");
  page.Row({role, absl::StrCat(s.name, " (spec ", s.spec_name, ")")}, "td");
  page.Row({"state", s.state});
  page.Row({"created / started / ended",
            absl::StrCat(s.create_time.empty() ? "-" : s.create_time, " / ",
                         s.start_time.empty() ? "-" : s.start_time, " / ",
                         s.end_time.empty() ? "-" : s.end_time)});
  page.Row(
      {"trials", absl::StrCat(s.trials_succeeded, " succeeded, ",
                              s.trials_failed, " failed of ", s.trials_total,
                              "; ", s.results, " results stored")});
  page.Row({"workers", s.workers.empty() ? "(no raw results)"
                                         : absl::StrJoin(s.workers, ", ")});
  page.Row(
      {"nested",
       s.nested_trials == 0
           ? "no: no host was itself a virtual machine"
           : absl::StrCat("YES: ", s.nested_trials, " of ", s.results,
                          " trials ran on a host that is itself a virtual "
                          "machine: the throughput shows that the code path "
                          "works, not how fast the platform is")},
      "td", s.nested_trials == 0 ? "" : "regression");
  for (const std::string& v : s.fit_verdicts) page.Row({"model", v});
  for (const std::string& v : s.cross_host_verdicts)
    page.Row({"cross-host", v});
  for (const std::string& v : s.saturations) page.Row({"saturation", v});
  page.EndTable();
}

// The comparison's verdict, at the top of the page: how many
// configurations regressed, improved or did not change.
void ComparisonVerdict(Page& page, const ReportData& data) {
  if (!data.comparison.has_value()) {
    page.Tag("p", absl::StrCat("No comparison: ", data.comparison_error),
             "note");
    return;
  }
  const results::RunsComparison& c = *data.comparison;
  page.Tag("p",
           absl::StrCat(
               "Verdict: ", data.run.name, " against ", data.baseline->name,
               ", metric ", c.metric, ": ", c.regressions, " regression, ",
               c.improvements, " improvement, ", c.unchanged, " no_change of ",
               c.configurations.size(), " configurations (threshold ",
               ReadableNumber(100 * c.threshold), "%, Holm at alpha ",
               ReadableNumber(c.alpha), "); the table is under Comparison."),
           c.regressions > 0 ? "verdict regression" : "verdict");
}

void ComparisonSection(Page& page, const ReportData& data,
                       const RenderOptions& options) {
  page.Raw("<h2 id=\"comparison\">Comparison</h2>\n");
  if (!data.comparison.has_value()) {
    ComparisonVerdict(page, data);
    return;
  }
  const results::RunsComparison& c = *data.comparison;
  page.BeginTable("comparison");
  page.Row({"configuration", "n", "baseline median", "contender median",
            "change [95% interval]", "p (Holm)", "P(C>B)", "verdict"},
           "th");
  for (const results::ComparedConfiguration& r : c.configurations) {
    const analysis::ConfigurationComparison& x = r.comparison;
    const std::string change = absl::StrCat(
        absl::StrFormat("%+.1f%%", 100 * x.change.estimate), " ",
        x.change.ci.has_value()
            ? absl::StrFormat("[%+.1f%%, %+.1f%%]", 100 * x.change.ci->low,
                              100 * x.change.ci->high)
            : std::string("[no 95% interval]"));
    const std::string verdict(analysis::VerdictName(x.verdict));
    page.Row(
        {spec::DescribeConfiguration(r.configuration),
         absl::StrCat(x.baseline.n, "/", x.contender.n),
         ReadableNumber(x.baseline.median), ReadableNumber(x.contender.median),
         change, ReadableNumber(x.holm_p),
         absl::StrFormat("%.2f", x.test.probability_of_superiority), verdict},
        "td",
        x.verdict == analysis::Verdict::kRegression    ? "regression"
        : x.verdict == analysis::Verdict::kImprovement ? "improvement"
                                                       : "");
  }
  page.EndTable();
  if (!options.compare_text.empty()) {
    page.Raw("<p>As <code>scalebench compare</code> prints it:</p>\n");
    page.Tag("pre", options.compare_text);
  }
}

}  // namespace

std::string HtmlEscape(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"},
                                    {"<", "&lt;"},
                                    {">", "&gt;"},
                                    {"\"", "&quot;"},
                                    {"'", "&#39;"}});
}

std::string ScriptSafeJson(absl::string_view json) {
  return absl::StrReplaceAll(json, {{"<", "\\u003c"}});
}

std::string RenderHtml(const ReportData& data, const RenderOptions& options) {
  const bool two_runs = data.baseline.has_value();
  Page page;
  page.Raw(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
      "charset=\"utf-8\">\n<title>");
  page.Text(absl::StrCat(
      "scalebench report: ", data.run.name,
      two_runs ? absl::StrCat(" against ", data.baseline->name) : ""));
  page.Raw("</title>\n<style>");
  page.Raw(kStyle);
  page.Raw("</style></head><body>\n<h1>");
  page.Text(absl::StrCat(
      "scalebench report: ", data.run.name, " (", data.run.spec_name, ")",
      two_runs ? absl::StrCat(" against ", data.baseline->name) : ""));
  page.Raw("</h1>\n");
  if (!options.generated.empty()) page.Tag("p", options.generated);

  page.Raw("<h2 id=\"summary\">Summary</h2>\n");
  if (two_runs) ComparisonVerdict(page, data);
  Summary(page, data.run, two_runs ? "contender" : "experiment");
  if (two_runs) Summary(page, *data.baseline, "baseline");
  if (data.run.results == 0) {
    page.Raw("<p class=\"note\">");
    page.Text(absl::StrCat(
        data.run.name,
        " has no trial results (yet): the figures below are empty."));
    page.Raw("</p>\n");
  }

  if (two_runs) ComparisonSection(page, data, options);

  page.Raw("<h2 id=\"throughput\">Throughput</h2>\n<p>");
  page.Text(
      absl::StrCat("One colour per series: one combination of the factors "
                   "that vary (other than the x axis), named in the legend. "
                   "Crosses: every trial. Hollow diamonds: the held-out test "
                   "trials of a cross-host model (it was fitted without "
                   "them). Dots joined by a line: each "
                   "configuration's median. Shaded "
                   "around them: the median's distribution-free 95% interval "
                   "when a configuration has ",
                   analysis::kMinRunsForMedianInterval,
                   " or more trials; below that the smallest to the largest "
                   "trial (not a confidence "
                   "interval). Dashed, one dash pattern per model and the "
                   "colour of the series it was fitted to: the experiment's "
                   "models, refitted to the same trial rows, with "
                   "their 95% prediction interval for one new trial shaded "
                   "(exact for polynomials; for USL and Amdahl to first "
                   "order, by the delta method)."));
  if (two_runs) {
    page.Text(absl::StrCat(" The baseline, ", data.baseline->name,
                           ", is drawn fainter, with triangles and dotted "
                           "lines; ",
                           data.run.name, " with crosses and solid lines."));
  }
  page.Raw("</p>\n");
  int figure_number = 0;
  for (const ScatterFigure& f : data.figures) {
    const std::string id = absl::StrCat("chart-", f.y_column, "-", f.x_column);
    int trials = 0;
    for (const Series& s : f.series)
      trials += static_cast<int>(s.points.size());
    page.Chart(
        id, ScatterChart(f, two_runs ? data.baseline->name : std::string()),
        absl::StrCat("Figure ", ++figure_number, ": ", f.y_column, " against ",
                     f.x_column, ", ", trials, " trials in ", f.series.size(),
                     " series, ", f.curves.size(), " model curves."));
    for (const ModelCurve& m : f.curves) {
      if (m.note.empty()) continue;
      page.Raw("<p class=\"note\">");
      page.Text(m.note);
      page.Raw("</p>\n");
    }
  }

  page.Raw("<h2 id=\"latency\">Latency</h2>\n");
  page.Chart("chart-latency", LatencyChart(data, two_runs),
             "Each trial's percentiles are read off its merged latency "
             "histogram (all load "
             "generators, bucket-wise); the bar is the median over the "
             "configuration's "
             "trials.");
  page.BeginTable("latency");
  page.Row({"run", "configuration", "n", "p50 (µs)", "p90 (µs)", "p99 (µs)"},
           "th");
  for (const LatencyRow& r : data.latency) {
    page.Row({r.run, r.configuration, absl::StrCat(r.n),
              ReadableNumber(r.p50_us), ReadableNumber(r.p90_us),
              ReadableNumber(r.p99_us)});
  }
  page.EndTable();

  page.Raw("<h2 id=\"skew\">Start skew</h2>\n");
  page.Chart(
      "chart-skew", SkewChart(data.skew_histogram),
      absl::StrCat(
          data.skew.size(),
          " trials: each trial's largest start skew among its load "
          "generators (actual window start minus T0, on the coordinator's "
          "clock), true to within its host's clock uncertainty."));
  SkewSummary(data, page);

  page.Raw("<h2 id=\"hosts\">Hosts</h2>\n");
  page.BeginTable("hosts");
  page.Row({"run", "worker", "hostname", "kernel", "CPU", "logical CPUs", "SMT",
            "governor", "memory (GiB)", "KVM", "nested", "versions",
            "addresses (now)", "worker's CPUs (now)", "platforms (now)",
            "balancers (now)"},
           "th");
  for (const HostRow& h : data.hosts) {
    const v1::HostEnvironment& e = h.environment;
    std::vector<std::string> versions;
    for (const auto& [k, v] : e.versions())
      versions.push_back(absl::StrCat(k, " ", v));
    std::sort(versions.begin(), versions.end());
    std::vector<std::string> cells = {
        h.run,
        h.worker,
        e.hostname(),
        e.kernel(),
        e.cpu_model(),
        absl::StrCat(e.logical_cpus()),
        e.smt() ? "on" : "off",
        e.governor(),
        absl::StrFormat("%.1f", e.memory_bytes() / 1073741824.0),
        e.kvm() ? "yes" : "no",
        e.nested() ? "YES" : "no",
        absl::StrJoin(versions, "; ")};
    for (std::string& cell : HostFactCells(h)) {
      cells.push_back(cell.empty() ? "-" : std::move(cell));
    }
    page.Row(cells);
  }
  page.EndTable();
  if (data.hosts.empty()) {
    page.Tag("p", "No worker's raw result carries its host's environment.");
  } else {
    page.Tag("p",
             "The environment is as each worker reported it with its "
             "results; the columns marked (now) are what the coordinator "
             "knows of the worker as the report was made (ListWorkers), "
             "'-' when it no longer knows it.");
  }

  page.Raw("<h2 id=\"models\">Models</h2>\n");
  if (data.run.fits.empty()) {
    page.Tag("p", absl::StrCat(data.run.name, "'s spec fits no model."));
  } else {
    page.Tag("p",
             "As scalebench fit --experiment reports them; the verdicts "
             "are also in the summary at the top.");
    ModelTables(data.run.name, data.run.fits, page);
  }
  if (two_runs && !data.baseline->fits.empty())
    ModelTables(data.baseline->name, data.baseline->fits, page);

  page.Raw("<h2 id=\"data\">Data</h2>\n<ul>\n");
  for (const auto& [file, title] : options.csv_links) {
    page.Raw(absl::StrCat("<li><a href=\"", HtmlEscape(file), "\">",
                          HtmlEscape(file), "</a>: ", HtmlEscape(title),
                          "</li>\n"));
  }
  page.Raw("</ul>\n");

  std::string html = std::move(page.html());
  absl::StrAppend(
      &html, "<script id=\"report-charts\" type=\"application/json\">",
      ScriptSafeJson(page.charts().dump()), "</script>\n<script>",
      absl::StrReplaceAll(options.chartjs, {{"</script", "<\\/script"}}),
      "</script>\n<script>", kInit, "</script>\n</body></html>\n");
  return html;
}

}  // namespace scalebench::report
