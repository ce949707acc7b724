// The report's charts as Chart.js 3 configurations (JSON objects passed to
// `new Chart(canvas, config)`): the scatter figures with their interval
// and prediction bands as filled line datasets, latency bars, and the
// start-skew histogram. Axes are titled with their units. Stateless
// functions; thread-safe.
#ifndef SCALEBENCH_REPORT_REPORT_CHARTS_H_
#define SCALEBENCH_REPORT_REPORT_CHARTS_H_

#include <string>

#include "nlohmann/json.hpp"
#include "report/report_data.h"

namespace scalebench::report {

// One scatter figure. Per series: its interval band (a hidden "(low)"
// line, then the upper line filled down to it), its trials, its medians
// joined by a line; per model curve: its prediction band the same way,
// then the curve, dashed, in the colour of the series it was fitted to.
// `baseline` names the run drawn fainter (triangles, dotted); "" for a
// report of one run. Dataset labels are what the legend shows.
nlohmann::json ScatterChart(const ScatterFigure& figure,
                            const std::string& baseline);

// p50, p90 and p99 bars per configuration (log scale); with `two_runs`
// the labels start with the run.
nlohmann::json LatencyChart(const ReportData& data, bool two_runs);

// One bar dataset per run over the histogram's bins.
nlohmann::json SkewChart(const SkewHistogram& histogram);

}  // namespace scalebench::report

#endif  // SCALEBENCH_REPORT_REPORT_CHARTS_H_
