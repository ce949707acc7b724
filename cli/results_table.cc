#include "cli/results_table.h"

#include <algorithm>
#include <sstream>

#include "absl/container/btree_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "api/result_columns.h"
#include "cli/output.h"
#include "common/number_text.h"

namespace scalebench::cli {
namespace {

// What a cell shows when there is nothing to show.
constexpr char kDash[] = "-";
constexpr char kIntervalHeader[] = "95% INTERVAL";
constexpr absl::string_view kVcpusTotal = "vcpus_total";

// The factor cells of `c` as the table shows them: api::FactorCells'
// spelling, but a factor that is not set (an algorithm without a
// balancer) is "-" and a health check interval of 0s is "off", as
// docs/spec.md calls it.
std::vector<std::string> FactorTexts(const v1::Configuration& c) {
  std::vector<std::string> cells = api::FactorCells(c);
  const absl::Span<const char* const> names = api::FactorColumns();
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].empty()) cells[i] = kDash;
    if (absl::string_view(names[i]) == "health_check_interval" &&
        cells[i] == "0s") {
      cells[i] = "off";
    }
  }
  return cells;
}

// How one factor appears: as a column, on the common line, or not at all.
enum class Place { kColumn, kCommon, kHidden };

struct Factor {
  std::string name;
  Place place = Place::kHidden;
  // The value shared by every row where it is set (kCommon only).
  std::string common;
  // Some rows do not set it ("-").
  bool unset_somewhere = false;
};

// Where each factor of api::FactorColumns() goes for `cells` (one
// FactorTexts per row).
std::vector<Factor> PlaceFactors(
    const std::vector<std::vector<std::string>>& cells, bool wide) {
  const absl::Span<const char* const> names = api::FactorColumns();
  std::vector<Factor> factors(names.size());
  std::vector<bool> varies(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    factors[i].name = names[i];
    absl::btree_set<std::string> values;
    for (const std::vector<std::string>& row : cells) {
      if (row[i] == kDash) {
        factors[i].unset_somewhere = true;
      } else {
        values.insert(row[i]);
      }
    }
    varies[i] = values.size() > 1;
    if (wide || varies[i]) {
      factors[i].place = Place::kColumn;
    } else if (!values.empty()) {
      factors[i].place = Place::kCommon;
      factors[i].common = *values.begin();
    }
  }
  // vcpus_total = instances x vcpus: a column of its own only when
  // neither of them is constant.
  auto index = [&](absl::string_view name) {
    return std::find(names.begin(), names.end(), name) - names.begin();
  };
  Factor& total = factors[index(kVcpusTotal)];
  if (!wide && total.place == Place::kColumn &&
      !(varies[index("instances")] && varies[index("vcpus")])) {
    total.place = Place::kHidden;
  }
  return factors;
}

// "common to all: platform native, hosts 1, ...", or "" when every
// factor is a column; broken between factors so as to keep to kTextWidth.
std::string CommonLine(const std::vector<Factor>& factors) {
  std::string text;
  std::string line = "common to all:";
  for (const Factor& factor : factors) {
    if (factor.place != Place::kCommon) continue;
    std::string part = absl::StrCat(factor.name, " ", factor.common);
    // Only an algorithm can be unset, where there is no balancer.
    if (factor.unset_somewhere) absl::StrAppend(&part, " (with a balancer)");
    if (absl::EndsWith(line, ":")) {
      absl::StrAppend(&line, " ", part);
    } else if (DisplayWidth(line) + 2 + DisplayWidth(part) + 1 > kTextWidth) {
      absl::StrAppend(&text, line, ",\n");
      line = absl::StrCat("  ", part);
    } else {
      absl::StrAppend(&line, ", ", part);
    }
  }
  if (absl::EndsWith(line, ":")) return "";
  return absl::StrCat(text, line, "\n");
}

std::string Header(absl::string_view factor) {
  return absl::AsciiStrToUpper(factor);
}

}  // namespace

std::string ConfigurationTable(const std::vector<ConfigurationRow>& rows,
                               const TableOptions& options) {
  if (rows.empty()) return "";
  std::vector<std::vector<std::string>> cells;
  double largest_p99_us = 0;
  bool without_interval = false;
  for (const ConfigurationRow& row : rows) {
    cells.push_back(FactorTexts(row.configuration));
    largest_p99_us = std::max(largest_p99_us, row.p99_us);
    without_interval |= !row.interval.has_value();
  }
  const std::vector<Factor> factors = PlaceFactors(cells, options.wide);
  const DurationUnit p99_unit =
      ReadableDurationUnit(absl::Microseconds(largest_p99_us));
  const double us_per_unit = absl::ToDoubleMicroseconds(p99_unit.length);

  std::vector<std::string> header;
  for (const Factor& factor : factors) {
    if (factor.place == Place::kColumn) header.push_back(Header(factor.name));
  }
  for (const char* metric : {"N", "REQUESTS/S", kIntervalHeader}) {
    header.push_back(metric);
  }
  header.push_back(absl::StrCat("P99 (", p99_unit.name, ")"));
  TextTable table(header);
  std::vector<std::string> footnotes;
  for (size_t r = 0; r < rows.size(); ++r) {
    const ConfigurationRow& row = rows[r];
    std::vector<std::string> line;
    for (size_t i = 0; i < factors.size(); ++i) {
      if (factors[i].place == Place::kColumn) line.push_back(cells[r][i]);
    }
    line.push_back(absl::StrCat(row.n));
    line.push_back(ReadableNumber(row.requests_per_s));
    line.push_back(row.interval.has_value()
                       ? absl::StrCat(ReadableNumber(row.interval->low), "-",
                                      ReadableNumber(row.interval->high))
                       : kDash);
    line.push_back(ReadableNumber(row.p99_us / us_per_unit));
    table.AddRow(std::move(line));
  }
  std::ostringstream text;
  table.Print(text);
  text << CommonLine(factors);
  for (const Factor& factor : factors) {
    if (factor.place == Place::kColumn && factor.unset_somewhere) {
      text << kDash << " under " << Header(factor.name)
           << ": not set (no balancer)\n";
    }
  }
  if (without_interval) {
    text << kDash << " under " << kIntervalHeader << ": fewer than "
         << analysis::kMinRunsForMedianInterval
         << " trials, too few for a distribution-free interval of the "
            "median\n";
  }
  return text.str();
}

}  // namespace scalebench::cli
