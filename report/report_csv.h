// The data of every figure and table of a report as CSV files, written
// beside the HTML (report.html -> report-throughput.csv, ...) so that the
// numbers can be read without the charts. Stateless functions;
// thread-safe.
#ifndef SCALEBENCH_REPORT_REPORT_CSV_H_
#define SCALEBENCH_REPORT_REPORT_CSV_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/csv_writer.h"
#include "report/report_data.h"

namespace scalebench::report {

struct CsvFile {
  // The file name's suffix: "throughput" for report-throughput.csv.
  std::string suffix;
  // What it holds, for the link in the HTML.
  std::string title;
  // RFC 4180: a header line, then one line per row, "\n"-terminated.
  std::string content;
};

// The CSVs of `data`: throughput (every scatter figure in long form: one
// row per trial, per configuration's median with its interval, per point
// of a model's curve with its prediction band), latency, skew, hosts, and
// with a comparison, comparison.
std::vector<CsvFile> ReportCsvs(const ReportData& data);

// The path of a CSV beside `html_path`: "out/report.html" and
// "throughput" give "out/report-throughput.csv".
std::string CsvPathBeside(const std::string& html_path,
                          absl::string_view suffix);

}  // namespace scalebench::report

#endif  // SCALEBENCH_REPORT_REPORT_CSV_H_
