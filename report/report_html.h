// Renders an assembled report (report_data.h) as one self-contained HTML
// page: every style and script inlined (Chart.js included), so it works
// offline from a file:// URL. Every string from the store is HTML-escaped;
// the chart data travels as JSON with '<' escaped. Stateless functions;
// thread-safe.
#ifndef SCALEBENCH_REPORT_REPORT_HTML_H_
#define SCALEBENCH_REPORT_REPORT_HTML_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "report/report_data.h"

namespace scalebench::report {

struct RenderOptions {
  // The Chart.js 3 UMD build, inlined verbatim (report_command reads
  // Debian's libjs-chart.js). Required for the charts to draw.
  std::string chartjs;
  // What `scalebench compare BASELINE RUN` prints (cli/compare_command.h);
  // empty without a comparison.
  std::string compare_text;
  // The CSV files beside the page: (file name, title), linked from it.
  std::vector<std::pair<std::string, std::string>> csv_links;
  // A line saying what made the page, e.g. "scalebench report
  // exp-000002 --compare exp-000001, 2026-11-30T04:00:00Z".
  std::string generated;
};

// The page. The summary at the top holds every verdict: the models', the
// cross-host tests' with their saturation, and with a baseline the
// comparison's; the comparison's table follows it. One <canvas
// class="chart"> per chart: one per scatter figure, latency, start skew.
// The Models section is HTML tables (report_models.h). Rows of the
// comparison with a regression carry class "regression" (and
// "improvement"), highlighted. Every table scrolls within its own box, so
// the page itself never scrolls sideways.
std::string RenderHtml(const ReportData& data, const RenderOptions& options);

// `text` with &, <, >, " and ' replaced by entities.
std::string HtmlEscape(absl::string_view text);

// `json` made safe inside <script>: every '<' as \u003c.
std::string ScriptSafeJson(absl::string_view json);

}  // namespace scalebench::report

#endif  // SCALEBENCH_REPORT_REPORT_HTML_H_
