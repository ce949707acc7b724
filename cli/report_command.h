// `scalebench report EXPERIMENT [--compare BASELINE] --out report.html`:
// one self-contained HTML page (Chart.js inlined, works offline) with an
// experiment's throughput, latency, start skew, hosts and models, and with
// --compare both runs side by side with the comparison; every figure's
// data also as CSV beside it. The figures come from report/; this is the
// fetching and the files. No global state.
#ifndef SCALEBENCH_CLI_REPORT_COMMAND_H_
#define SCALEBENCH_CLI_REPORT_COMMAND_H_

#include <ostream>
#include <string>

#include "cli/client.h"
#include "cli/command.h"
#include "common/command_line.h"

namespace scalebench::cli {

// Where Debian's libjs-chart.js puts Chart.js 3's minified UMD build.
inline constexpr char kDefaultChartJs[] =
    "/usr/share/javascript/chart.js/chart.min.js";

struct ReportFlags {
  ClientFlags client;
  std::string experiment;
  // Empty: no comparison.
  std::string baseline;
  // The HTML file; the CSVs go beside it (report-throughput.csv, ...).
  std::string out;
  // The Chart.js file inlined into the page. Default kDefaultChartJs.
  std::string chartjs = kDefaultChartJs;
};

// Adds the command's argument and flags, with its manual as the footer.
void AddReportFlags(CLI::App& report, ReportFlags* flags);

// Writes the page and its CSVs, prints their paths to `out`. Returns
// kExitOk, also for an experiment without results (the page says so);
// kExitBadInput for a bad or unknown EXPERIMENT or BASELINE, or an --out
// that cannot be written (the message names it); kExitRunFailed when the
// coordinator cannot be reached or Chart.js cannot be read (the message
// names the package, libjs-chart.js). The page says it was made at
// env.clock's wall time.
int RunReport(const ReportFlags& flags, const CommandEnv& env);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_REPORT_COMMAND_H_
