// The per-configuration table that `scalebench results` and `scalebench
// run` print for people: the factors that vary as columns, the rest on one
// "common to all" line, numbers rounded as common/number_text.h rounds
// them, units in the headers, and a footnote for every "-". Stateless
// functions; thread-safe.
#ifndef SCALEBENCH_CLI_RESULTS_TABLE_H_
#define SCALEBENCH_CLI_RESULTS_TABLE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "analysis/repetition_stats.h"
#include "cli/output.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::cli {

// One configuration's row.
struct ConfigurationRow {
  v1::Configuration configuration;
  // Its trials.
  int n = 0;
  // The median requests/s of its trials, and the median's distribution-free
  // 95% interval when there were enough trials.
  double requests_per_s = 0;
  std::optional<analysis::Interval> interval;
  // The median of its trials' p99 latencies, in microseconds.
  double p99_us = 0;
};

struct TableOptions {
  // Every factor as a column (none on the "common to all" line).
  // Default: only the factors whose value differs between rows.
  bool wide = false;
};

// The table of `rows` as lines ending in "\n": the header and one line per
// row, then "common to all: ..." with the factors that are not columns,
// then one footnote per kind of "-" the table shows. The factors are
// api::FactorColumns() in their order; vcpus_total is a column only when
// both instances and vcpus vary (otherwise it follows from them).
// Requests/s and their interval as ReadableNumber writes them, the p99
// latencies in the unit ReadableDuration would give the largest. Without
// rows, "".
std::string ConfigurationTable(const std::vector<ConfigurationRow>& rows,
                               const TableOptions& options = {});

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_RESULTS_TABLE_H_
