#include "report/report_html.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "analysis/repetition_stats.h"
#include "analysis/run_comparison.h"
#include "nlohmann/json.hpp"
#include "spec/grid.h"

namespace scalebench::report {
namespace {

using nlohmann::json;

// Colour-blind-safe palette (Okabe and Ito), as "r,g,b".
constexpr const char* kPalette[] = {"0,114,178",   "213,94,0",  "0,158,115",
                                    "204,121,167", "230,159,0", "86,180,233",
                                    "0,0,0",       "240,228,66"};

std::string Rgba(size_t i, double alpha) {
  return absl::StrFormat("rgba(%s,%.2f)",
                         kPalette[i % (sizeof(kPalette) / sizeof(*kPalette))],
                         alpha);
}

std::string Num(double v) { return absl::StrFormat("%.4g", v); }

// The axis title of a result column, with its unit.
std::string AxisTitle(const std::string& column) {
  if (column == "requests_per_s") return "throughput (requests/s)";
  if (column == "transfer_kb_per_s") return "transfer rate (KiB/s)";
  if (column == "instances") return "instances (servers behind the balancer)";
  if (column == "vcpus_total") return "vCPUs in use (instances × vCPUs each)";
  if (column == "hosts") return "hosts";
  if (column == "vcpus") return "vCPUs per instance";
  if (column == "connections") return "connections per load generator";
  if (column.size() > 3 && column.substr(column.size() - 3) == "_us") {
    return absl::StrCat(column.substr(0, column.size() - 3), " (µs)");
  }
  return column;
}

json Point(double x, double y) { return json{{"x", x}, {"y", y}}; }

json Options(const std::string& title, const std::string& x_title,
             const std::string& y_title, bool linear_x) {
  json options;
  options["animation"] = false;
  options["responsive"] = true;
  options["maintainAspectRatio"] = false;
  options["plugins"]["title"] = {
      {"display", true}, {"text", title}, {"font", {{"size", 16}}}};
  options["plugins"]["legend"] = {
      {"position", "bottom"},
      {"labels",
       {{"boxWidth", 18}, {"usePointStyle", true}, {"font", {{"size", 11}}}}}};
  options["scales"]["x"]["title"] = {{"display", true}, {"text", x_title}};
  if (linear_x) options["scales"]["x"]["type"] = "linear";
  options["scales"]["y"]["title"] = {{"display", true}, {"text", y_title}};
  options["scales"]["y"]["beginAtZero"] = true;
  return options;
}

// Lines below (hidden in the legend) and above (filled down to it).
void AddBand(json& datasets, const std::string& label, const json& low,
             const json& high, size_t colour, double alpha) {
  datasets.push_back({{"type", "scatter"},
                      {"label", absl::StrCat(label, " (low)")},
                      {"data", low},
                      {"showLine", true},
                      {"pointRadius", 0},
                      {"borderWidth", 0},
                      {"borderColor", Rgba(colour, 0)},
                      {"fill", false},
                      {"hideInLegend", true}});
  datasets.push_back({{"type", "scatter"},
                      {"label", label},
                      {"data", high},
                      {"showLine", true},
                      {"pointRadius", 0},
                      {"borderWidth", 0},
                      {"borderColor", Rgba(colour, 0)},
                      {"backgroundColor", Rgba(colour, alpha)},
                      {"pointStyle", "rect"},
                      {"fill", "-1"}});
}

std::string SeriesName(const Series& s, bool two_runs) {
  std::string name = absl::StrCat(s.platform, ", balancer ", s.balancer);
  return two_runs ? absl::StrCat(s.run, " ", name) : name;
}

// Whether curve `m` was fitted to (a superset of) series `s`'s rows: its
// group names no platform or balancer other than the series'.
bool CurveCovers(const ModelCurve& m, const Series& s) {
  if (m.run != s.run) return false;
  for (const auto& [column, value] : m.group_values) {
    if (column == "platform" && value != s.platform) return false;
    if (column == "balancer" && value != s.balancer) return false;
  }
  return true;
}

// `baseline` names the run drawn fainter, with triangles and a dotted
// line; "" for one run. A series keeps its colour across the two runs.
json ScatterChart(const ScatterFigure& f, const std::string& baseline) {
  const bool two_runs = !baseline.empty();
  json datasets = json::array();
  std::vector<std::pair<std::string, std::string>> keys;
  auto colour_of = [&keys](const Series& s) {
    const auto key = std::make_pair(s.platform, s.balancer);
    const auto at = std::find(keys.begin(), keys.end(), key);
    if (at != keys.end()) return static_cast<size_t>(at - keys.begin());
    keys.push_back(key);
    return keys.size() - 1;
  };
  for (const Series& s : f.series) {
    const size_t colour = colour_of(s);
    const bool faint = two_runs && s.run == baseline;
    const std::string name = SeriesName(s, two_runs);
    json points = json::array();
    for (const TrialPoint& p : s.points) points.push_back(Point(p.x, p.y));
    json low = json::array();
    json high = json::array();
    json median = json::array();
    int with_ci = 0;
    for (const ConfigurationPoint& c : s.configurations) {
      low.push_back(Point(c.x, c.low));
      high.push_back(Point(c.x, c.high));
      median.push_back(Point(c.x, c.median));
      with_ci += c.is_ci ? 1 : 0;
    }
    const int configurations = static_cast<int>(s.configurations.size());
    const std::string interval =
        with_ci == configurations ? "95% CI of the median"
        : with_ci == 0
            ? absl::StrCat("min–max (n < ", analysis::kMinRunsForMedianInterval,
                           ": no 95% CI)")
            : "95% CI of the median, min–max where n < 6";
    AddBand(datasets, absl::StrCat(name, ": ", interval), low, high, colour,
            faint ? 0.1 : 0.2);
    datasets.push_back({{"type", "scatter"},
                        {"label", absl::StrCat(name, ": trials")},
                        {"data", points},
                        {"pointRadius", 4},
                        {"pointStyle", faint ? "triangle" : "crossRot"},
                        {"borderColor", Rgba(colour, faint ? 0.5 : 0.85)},
                        {"backgroundColor", Rgba(colour, faint ? 0.2 : 0.85)}});
    json line = {{"type", "scatter"},
                 {"label", absl::StrCat(name, ": median")},
                 {"data", median},
                 {"showLine", true},
                 {"pointRadius", 5},
                 {"pointStyle", faint ? "triangle" : "circle"},
                 {"borderWidth", 2},
                 {"borderColor", Rgba(colour, faint ? 0.55 : 1)},
                 {"backgroundColor", Rgba(colour, faint ? 0.55 : 1)}};
    if (faint) line["borderDash"] = {2, 3};
    datasets.push_back(std::move(line));
  }
  size_t next_colour = keys.size();
  for (const ModelCurve& m : f.curves) {
    size_t colour = next_colour;
    for (const Series& s : f.series) {
      if (CurveCovers(m, s)) {
        colour = colour_of(s);
        break;
      }
    }
    if (colour == next_colour) ++next_colour;
    std::string name = absl::StrCat("model ", m.model);
    if (!m.group.empty()) absl::StrAppend(&name, " (", m.group, ")");
    if (!m.cross_host.empty()) absl::StrAppend(&name, " (", m.cross_host, ")");
    if (two_runs) name = absl::StrCat(m.run, " ", name);
    json fitted = json::array();
    json low = json::array();
    json high = json::array();
    for (size_t i = 0; i < m.x.size(); ++i) {
      fitted.push_back(Point(m.x[i], m.fitted[i]));
      if (i < m.band_low.size()) {
        low.push_back(Point(m.x[i], m.band_low[i]));
        high.push_back(Point(m.x[i], m.band_high[i]));
      }
    }
    if (!m.band_low.empty()) {
      AddBand(datasets, absl::StrCat(name, ": 95% prediction band"), low, high,
              colour, 0.08);
    }
    datasets.push_back({{"type", "scatter"},
                        {"label", absl::StrCat(name, ": fit")},
                        {"data", fitted},
                        {"showLine", true},
                        {"pointRadius", 0},
                        {"borderWidth", 1.5},
                        {"borderDash", {8, 4}},
                        {"pointStyle", "line"},
                        {"borderColor", Rgba(colour, 0.9)},
                        {"fill", false}});
  }
  json chart;
  chart["type"] = "scatter";
  chart["data"]["datasets"] = datasets;
  chart["options"] =
      Options(absl::StrCat(AxisTitle(f.y_column), " against ", f.x_column),
              AxisTitle(f.x_column), AxisTitle(f.y_column), true);
  // The x columns are counts: whole-number ticks, and a margin so that the
  // points at either end are not cut in half (offset).
  chart["options"]["scales"]["x"]["ticks"] = {{"precision", 0}};
  chart["options"]["scales"]["x"]["offset"] = true;
  return chart;
}

json LatencyChart(const ReportData& data, bool two_runs) {
  json labels = json::array();
  json p[3] = {json::array(), json::array(), json::array()};
  for (const LatencyRow& r : data.latency) {
    labels.push_back(two_runs ? absl::StrCat(r.run, " ", r.label) : r.label);
    p[0].push_back(r.p50_us);
    p[1].push_back(r.p90_us);
    p[2].push_back(r.p99_us);
  }
  const char* names[] = {"p50", "p90", "p99"};
  json datasets = json::array();
  for (int k = 0; k < 3; ++k) {
    datasets.push_back({{"label", names[k]},
                        {"data", p[k]},
                        {"backgroundColor", Rgba(k, 0.75)},
                        {"borderColor", Rgba(k, 1)},
                        {"borderWidth", 1}});
  }
  json chart;
  chart["type"] = "bar";
  chart["data"] = {{"labels", labels}, {"datasets", datasets}};
  chart["options"] =
      Options("latency percentiles per configuration (median over trials)",
              "configuration", "latency (µs, log scale)", false);
  // Percentiles span orders of magnitude: p99 may be 100 times p50.
  chart["options"]["scales"]["y"]["type"] = "logarithmic";
  chart["options"]["scales"]["y"].erase("beginAtZero");
  return chart;
}

json SkewChart(const SkewHistogram& h) {
  json labels = json::array();
  for (size_t i = 0; i + 1 < h.edges.size(); ++i) {
    labels.push_back(
        absl::StrCat("[", Num(h.edges[i]), ", ", Num(h.edges[i + 1]), ")"));
  }
  json datasets = json::array();
  for (size_t r = 0; r < h.runs.size(); ++r) {
    datasets.push_back({{"label", h.runs[r]},
                        {"data", h.counts[r]},
                        {"backgroundColor", Rgba(r, 0.7)},
                        {"borderColor", Rgba(r, 1)},
                        {"borderWidth", 1}});
  }
  json chart;
  chart["type"] = "bar";
  chart["data"] = {{"labels", labels}, {"datasets", datasets}};
  chart["options"] =
      Options("load generators' start skew (largest per trial)",
              "start skew (µs, positive = late)", "trials", false);
  return chart;
}

constexpr char kStyle[] = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.regression td{background:#fbd5d5;font-weight:600}tr.improvement td{background:#d5f5dd}
.chart-box{position:relative;height:440px;margin:1em 0}
pre{background:#f7f7f7;padding:.8em;overflow-x:auto;font-size:.82em}
.note{color:#7a4b00;background:#fff6e0;padding:.4em .8em;border-left:4px solid #e6a700}
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

class Page {
 public:
  void Raw(absl::string_view html) { absl::StrAppend(&html_, html); }
  void Text(absl::string_view text) {
    absl::StrAppend(&html_, HtmlEscape(text));
  }
  void Tag(const char* tag, absl::string_view text) {
    absl::StrAppend(&html_, "<", tag, ">", HtmlEscape(text), "</", tag, ">\n");
  }
  void Row(const std::vector<std::string>& cells, const char* cell = "td",
           const std::string& css_class = "") {
    Raw(css_class.empty() ? "<tr>"
                          : absl::StrCat("<tr class=\"", css_class, "\">"));
    for (const std::string& c : cells) {
      absl::StrAppend(&html_, "<", cell, ">", HtmlEscape(c), "</", cell, ">");
    }
    Raw("</tr>\n");
  }
  void Chart(const std::string& id, const json& config,
             const std::string& caption) {
    Raw(absl::StrCat(
        "<figure><div class=\"chart-box\"><canvas class=\"chart\" id=\"", id,
        "\"></canvas></div><figcaption>"));
    Text(caption);
    Raw("</figcaption></figure>\n");
    charts_.push_back({{"id", id}, {"config", config}});
  }
  const json& charts() const { return charts_; }
  std::string& html() { return html_; }

 private:
  std::string html_;
  json charts_ = json::array();
};

void Summary(Page& page, const RunSummary& s, const char* role) {
  page.Raw("<table class=\"summary\">\n");
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
  page.Raw("</table>\n");
}

void ComparisonSection(Page& page, const ReportData& data,
                       const RenderOptions& options) {
  page.Raw("<h2 id=\"comparison\">Comparison</h2>\n");
  if (!data.comparison.has_value()) {
    page.Raw("<p class=\"note\">");
    page.Text(absl::StrCat("no comparison: ", data.comparison_error));
    page.Raw("</p>\n");
    return;
  }
  const results::RunsComparison& c = *data.comparison;
  page.Raw("<p>");
  page.Text(absl::StrCat(data.run.name, " against ", data.baseline->name,
                         ", metric ", c.metric, ": ", c.regressions,
                         " regression, ", c.improvements, " improvement, ",
                         c.unchanged, " no_change of ", c.configurations.size(),
                         " configurations (threshold ", Num(100 * c.threshold),
                         "%, Holm at alpha ", Num(c.alpha), ")."));
  page.Raw("</p>\n<table class=\"comparison\">\n");
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
         absl::StrCat(x.baseline.n, "/", x.contender.n), Num(x.baseline.median),
         Num(x.contender.median), change, absl::StrFormat("%.3g", x.holm_p),
         absl::StrFormat("%.2f", x.test.probability_of_superiority), verdict},
        "td",
        x.verdict == analysis::Verdict::kRegression    ? "regression"
        : x.verdict == analysis::Verdict::kImprovement ? "improvement"
                                                       : "");
  }
  page.Raw("</table>\n");
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
  Summary(page, data.run, two_runs ? "contender" : "experiment");
  if (two_runs) Summary(page, *data.baseline, "baseline");
  if (data.run.results == 0) {
    page.Raw("<p class=\"note\">");
    page.Text(absl::StrCat(
        data.run.name,
        " has no trial results (yet): the figures below are empty."));
    page.Raw("</p>\n");
  }

  page.Raw("<h2 id=\"throughput\">Throughput</h2>\n<p>");
  page.Text(
      absl::StrCat("Crosses: every trial. Dots joined by a line: each "
                   "configuration's median. Shaded "
                   "around them: the median's distribution-free 95% interval "
                   "when a configuration has ",
                   analysis::kMinRunsForMedianInterval,
                   " or more trials; below that the smallest to the largest "
                   "trial (not a confidence "
                   "interval). Dashed: the experiment's models, refitted to "
                   "the same trial rows, with "
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
  page.Raw("<table class=\"latency\">\n");
  page.Row({"run", "configuration", "n", "p50 (µs)", "p90 (µs)", "p99 (µs)"},
           "th");
  for (const LatencyRow& r : data.latency) {
    page.Row({r.run, r.configuration, absl::StrCat(r.n), Num(r.p50_us),
              Num(r.p90_us), Num(r.p99_us)});
  }
  page.Raw("</table>\n");

  page.Raw("<h2 id=\"skew\">Start skew</h2>\n");
  page.Chart(
      "chart-skew", SkewChart(data.skew_histogram),
      absl::StrCat(
          data.skew.size(),
          " trials: each trial's largest start skew among its load "
          "generators (actual window start minus the planned instant)."));

  page.Raw("<h2 id=\"hosts\">Hosts</h2>\n<table class=\"hosts\">\n");
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
  page.Raw("</table>\n");
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
  if (options.model_table.empty()) {
    page.Tag("p", "The experiment's spec fits no model.");
  } else {
    page.Raw("<p>As <code>scalebench fit --experiment</code> prints it:</p>\n");
    page.Tag("pre", options.model_table);
  }
  if (two_runs && !options.baseline_model_table.empty()) {
    page.Tag("p", absl::StrCat("Baseline ", data.baseline->name, ":"));
    page.Tag("pre", options.baseline_model_table);
  }
  if (two_runs) ComparisonSection(page, data, options);

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
