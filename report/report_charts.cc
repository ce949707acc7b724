#include "report/report_charts.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analysis/repetition_stats.h"
#include "common/number_text.h"

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

// Dash patterns for model curves, one per model kind in a figure, so that
// two models fitted to one series (one colour) stay apart.
constexpr int kDashes[][4] = {
    {8, 4, 8, 4}, {2, 3, 2, 3}, {12, 3, 3, 3}, {4, 4, 1, 4}};

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
  return two_runs ? absl::StrCat(s.run, " ", s.label) : s.label;
}

// The series' cell of `column`; nullptr when the series does not vary in
// it.
const std::string* FactorOf(const Series& s, const std::string& column) {
  for (const auto& [c, cell] : s.factors) {
    if (c == column) return &cell;
  }
  return nullptr;
}

// Whether curve `m` was fitted to rows of series `s`: same run, its group
// names no value other than the series', and a cross-host curve's training
// filter accepts the series' cells.
bool CurveCovers(const ModelCurve& m, const Series& s) {
  if (m.run != s.run) return false;
  for (const auto& [column, value] : m.group_values) {
    if (column == "platform" && value != s.platform) return false;
    if (column == "balancer" && value != s.balancer) return false;
    const std::string* cell = FactorOf(s, column);
    if (cell != nullptr && *cell != value) return false;
  }
  for (const auto& [column, values] : m.train) {
    const std::string* cell = FactorOf(s, column);
    if (cell != nullptr &&
        std::find(values.begin(), values.end(), *cell) == values.end())
      return false;
  }
  return true;
}

json Points(const std::vector<TrialPoint>& points, bool test) {
  json out = json::array();
  for (const TrialPoint& p : points) {
    if (p.test == test) out.push_back(Point(p.x, p.y));
  }
  return out;
}

}  // namespace

// `baseline` names the run drawn fainter, with triangles and a dotted
// line; "" for one run. A series keeps its colour across the two runs.
json ScatterChart(const ScatterFigure& f, const std::string& baseline) {
  const bool two_runs = !baseline.empty();
  json datasets = json::array();
  std::vector<std::string> keys;
  auto colour_of = [&keys](const Series& s) {
    const std::string& key = s.label;
    const auto at = std::find(keys.begin(), keys.end(), key);
    if (at != keys.end()) return static_cast<size_t>(at - keys.begin());
    keys.push_back(key);
    return keys.size() - 1;
  };
  for (const Series& s : f.series) {
    const size_t colour = colour_of(s);
    const bool faint = two_runs && s.run == baseline;
    const std::string name = SeriesName(s, two_runs);
    const json points = Points(s.points, false);
    const json test_points = Points(s.points, true);
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
    // A series of held-out trials only has no training-trials dataset.
    if (!points.empty() || test_points.empty()) {
      datasets.push_back(
          {{"type", "scatter"},
           {"label", absl::StrCat(name, ": trials")},
           {"data", points},
           {"pointRadius", 4},
           {"pointStyle", faint ? "triangle" : "crossRot"},
           {"borderColor", Rgba(colour, faint ? 0.5 : 0.85)},
           {"backgroundColor", Rgba(colour, faint ? 0.2 : 0.85)}});
    }
    if (!test_points.empty()) {
      // Held out of a cross-host model: hollow diamonds, larger.
      datasets.push_back(
          {{"type", "scatter"},
           {"label", absl::StrCat(name, ": test trials (held out)")},
           {"data", test_points},
           {"pointRadius", 6},
           {"pointBorderWidth", 2},
           {"pointStyle", "rectRot"},
           {"testPoints", true},
           {"borderColor", Rgba(colour, faint ? 0.5 : 1)},
           {"backgroundColor", Rgba(colour, 0)}});
    }
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
  std::vector<std::string> models;
  for (const ModelCurve& m : f.curves) {
    size_t dash =
        std::find(models.begin(), models.end(), m.model) - models.begin();
    if (dash == models.size()) models.push_back(m.model);
    const int* pattern = kDashes[dash % (sizeof(kDashes) / sizeof(*kDashes))];
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
    datasets.push_back(
        {{"type", "scatter"},
         {"label", absl::StrCat(name, ": fit")},
         {"data", fitted},
         {"showLine", true},
         {"pointRadius", 0},
         {"borderWidth", 1.5},
         {"borderDash", {pattern[0], pattern[1], pattern[2], pattern[3]}},
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
  // The edges are multiples of the bin width (1, 2 or 5 times a power of
  // ten): as many decimals as the width needs, none from 1 µs up.
  const int decimals =
      h.edges.size() < 2 ? 0
                         : std::clamp(static_cast<int>(-std::floor(
                                          std::log10(h.edges[1] - h.edges[0]))),
                                      0, 9);
  json labels = json::array();
  for (size_t i = 0; i + 1 < h.edges.size(); ++i) {
    labels.push_back(absl::StrCat("[", GroupedNumber(h.edges[i], decimals),
                                  ", ", GroupedNumber(h.edges[i + 1], decimals),
                                  ")"));
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
  // Counts of trials: whole-number ticks.
  chart["options"]["scales"]["y"]["ticks"] = {{"precision", 0}};
  return chart;
}

}  // namespace scalebench::report
