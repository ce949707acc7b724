#include "cli/changepoints_command.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analysis/row_table.h"
#include "cli/change_point_flags.h"
#include "cli/csv.h"
#include "common/exit_codes.h"
#include "common/json_writer.h"

namespace scalebench::cli {

const char kChangepointsManual[] =
    R"(Finds the points where the level of a series shifted: the nights a
benchmark got slower or faster and stayed so. The rows are put in order of
--x (as numbers when every x is a number, otherwise as text, so ISO dates
such as 2026-11-30 sort correctly); rows with the same x are combined into
one point, their median. With --by, each combination of those columns'
values is a series of its own, in order of first appearance.

The method is E-divisive means (Matteson & James 2014), which assumes no
distribution: the split that best separates the series into two groups of
values is tested by shuffling the values --permutations times; its p-value
is the fraction of shuffles that separate as well (counting the split
itself). A split with p <= --significance is a change point, and each part
is searched again; the first split that is not significant ends the search.
A change point has at least --min-segment points on either side, so a shift
in the last --min-segment - 1 points cannot be located yet. The same
--seed gives the same p-values.

Text output, per group: one line per change point,
  x=2026-11-12, index 40: 1520 -> 1390 (-8.6%), p=0.005
(the first x after the shift, its position among the points from 0, the
medians of the points before and after it up to the neighbouring change
points, and the relative change), or "no change point in N points".

With --output json: {"groups": [{"group": {COLUMN: value}, "points": N,
"change_points": [{"index", "x", "before", "after", "change", "p_value"}]}]}
where x is a number when the x column is numeric and the text otherwise,
and change is null when before is 0.

The CSV file has a header row naming the columns, then one row per
measurement, as for scalebench fit (scalebench fit --help), within the same
limits. A series may have at most 10000 points (distinct x values): the
work grows with their square.

Exit status: 0 on success, whether or not there are change points; 2 when
the command line or the data are wrong (the message names the flag, or the
file, line and column).

Examples:
  scalebench changepoints --data nightly.csv --x date --y requests_per_s
  scalebench changepoints --data nightly.csv --x date --y p99_ms \
      --by platform --by instances --output json
  scalebench changepoints --data nightly.csv --x run --y requests_per_s \
      --significance 0.01 --permutations 999 --min-segment 5
)";

namespace {

constexpr char kCommand[] = "scalebench changepoints: ";

int Fail(const absl::Status& status, std::ostream& err) {
  err << kCommand << status.message() << "\n";
  return ExitCodeFor(status);
}

int FailFlags(absl::string_view message, std::ostream& err) {
  err << kCommand << message
      << "\nRun 'scalebench changepoints --help' for the flags.\n";
  return kExitBadInput;
}

absl::StatusOr<int> Column(const analysis::RowTable& table,
                           const std::string& name, absl::string_view flag) {
  if (std::optional<int> column = table.FindColumn(name)) return *column;
  return absl::InvalidArgumentError(absl::StrCat(
      flag, ": no column named '", name, "' in ", table.source(),
      " (the columns are: ", absl::StrJoin(table.columns(), ", "), ")"));
}

// One point of a series: the rows sharing an x, by their median y.
struct Point {
  analysis::Cell x;
  std::vector<double> ys;
  double y = 0;
};

struct Group {
  // The texts of the --by columns, in flag order.
  std::vector<std::string> key;
  std::vector<Point> points;
  // Points combined from more than one row.
  int combined = 0;
  std::vector<analysis::ChangePoint> change_points;
};

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t half = values.size() / 2;
  if (values.size() % 2 == 1) return values[half];
  return values[half - 1] + (values[half] - values[half - 1]) / 2;
}

std::string GroupLabel(const std::vector<std::string>& by_names,
                       const Group& group) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < by_names.size(); ++i) {
    parts.push_back(absl::StrCat(by_names[i], "=", group.key[i]));
  }
  return absl::StrJoin(parts, ", ");
}

// The groups' series in x order, equal x combined. INVALID_ARGUMENT as soon
// as a series is longer than analysis::kMaxSeriesLength.
absl::StatusOr<std::vector<Group>> ReadSeries(
    const analysis::RowTable& table, int x, int y, const std::vector<int>& by,
    const std::vector<std::string>& by_names, bool numeric_x) {
  std::vector<Group> groups;
  absl::flat_hash_map<std::vector<std::string>, size_t> group_index;
  std::vector<absl::flat_hash_map<std::string, size_t>> point_index;
  for (size_t row = 0; row < table.row_count(); ++row) {
    absl::StatusOr<double> value = table.Number(row, y);
    if (!value.ok()) return value.status();
    const analysis::Cell& x_cell = table.cell(row, x);
    if (x_cell.text.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          table.origin(row), ": column '", table.columns()[x], "' is empty"));
    }
    std::vector<std::string> key;
    for (int column : by) key.push_back(table.cell(row, column).text);
    auto [group, added] = group_index.emplace(key, groups.size());
    if (added) {
      groups.push_back({std::move(key), {}, 0, {}});
      point_index.emplace_back();
    }
    Group& g = groups[group->second];
    // Numbers compare by value: 2 and 2.0 are the same x.
    const std::string x_key =
        numeric_x ? absl::StrFormat("%.17g", *x_cell.number) : x_cell.text;
    auto [point, new_point] =
        point_index[group->second].emplace(x_key, g.points.size());
    if (new_point && g.points.size() == analysis::kMaxSeriesLength) {
      const std::string group = GroupLabel(by_names, g);
      return absl::InvalidArgumentError(absl::StrCat(
          table.origin(row), ": the series", group.empty() ? "" : " of ", group,
          " has more than ", analysis::kMaxSeriesLength,
          " distinct x values, the most change point detection takes (its "
          "work grows with their square)"));
    }
    if (new_point) g.points.push_back({x_cell, {}, 0});
    g.points[point->second].ys.push_back(*value);
  }
  for (Group& g : groups) {
    for (Point& p : g.points) {
      p.y = Median(p.ys);
      if (p.ys.size() > 1) ++g.combined;
    }
    std::stable_sort(g.points.begin(), g.points.end(),
                     [numeric_x](const Point& a, const Point& b) {
                       return numeric_x ? *a.x.number < *b.x.number
                                        : a.x.text < b.x.text;
                     });
  }
  return groups;
}

std::string Number(double value) { return absl::StrFormat("%.6g", value); }

void PrintText(const ChangepointsFlags& flags, const std::vector<Group>& groups,
               std::ostream& out) {
  const analysis::ChangePointOptions& options = flags.options;
  out << "change points in " << flags.y << " over " << flags.x
      << " (E-divisive means, p <= " << options.significance << " from "
      << options.permutations << " permutations, at least "
      << options.min_segment << " points a side)\n";
  const std::string indent = flags.by.empty() ? "" : "  ";
  for (const Group& group : groups) {
    if (!flags.by.empty()) out << GroupLabel(flags.by, group) << ":\n";
    if (group.change_points.empty()) {
      out << indent << "no change point in " << group.points.size()
          << " points\n";
    }
    for (const analysis::ChangePoint& point : group.change_points) {
      const std::string change =
          point.change.has_value()
              ? absl::StrFormat("%+.1f%%", *point.change * 100)
              : "n/a";
      out << indent << "x=" << group.points[point.index].x.text << ", index "
          << point.index << ": " << Number(point.before) << " -> "
          << Number(point.after) << " (" << change
          << "), p=" << absl::StrFormat("%.3g", point.p_value) << "\n";
    }
    if (group.combined > 0) {
      out << indent << "(" << group.combined << " of " << group.points.size()
          << " x values had several rows, combined by their median)\n";
    }
  }
}

void PrintJson(const ChangepointsFlags& flags, const std::vector<Group>& groups,
               bool numeric_x, std::ostream& out) {
  JsonWriter w;
  w.BeginObject().Key("groups").BeginArray();
  for (const Group& group : groups) {
    w.BeginObject().Key("group").BeginObject();
    for (size_t i = 0; i < flags.by.size(); ++i) {
      w.Key(flags.by[i]).String(group.key[i]);
    }
    w.EndObject();
    w.Key("points").Uint(group.points.size());
    w.Key("change_points").BeginArray();
    for (const analysis::ChangePoint& point : group.change_points) {
      const analysis::Cell& x = group.points[point.index].x;
      w.BeginObject();
      w.Key("index").Int(point.index);
      w.Key("x");
      if (numeric_x) {
        w.Double(*x.number);
      } else {
        w.String(x.text);
      }
      w.Key("before").Double(point.before);
      w.Key("after").Double(point.after);
      w.Key("change");
      if (point.change.has_value()) {
        w.Double(*point.change);
      } else {
        w.Null();
      }
      w.Key("p_value").Double(point.p_value);
      w.EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  out << w.str() << "\n";
}

}  // namespace

void AddChangepointsFlags(CLI::App& command, ChangepointsFlags* flags) {
  command
      .add_option("--data", flags->data,
                  "the CSV file of measurements, one row per run")
      ->type_name("FILE");
  command
      .add_option("--x", flags->x,
                  "the column that orders the series: date, night, run, ...")
      ->type_name("COLUMN");
  command
      .add_option("--y", flags->y,
                  "the measured column: requests_per_s, p99_ms, ...")
      ->type_name("COLUMN");
  command
      .add_option("--by", flags->by,
                  "a series per distinct value of this column (repeat the "
                  "flag, or COLUMN,COLUMN, for combinations)")
      ->type_name("COLUMN")
      ->delimiter(',');
  AddOutputOption(command, &flags->output,
                  {OutputFormat::kText, OutputFormat::kJson});
  AddChangePointFlags(command, "points", &flags->options);
  command
      .add_option(
          "--seed", flags->options.seed,
          "seed of the shuffles; default " + absl::StrCat(flags->options.seed))
      ->type_name("S");
  command.footer(kChangepointsManual);
}

int RunChangepoints(const ChangepointsFlags& flags, std::ostream& out,
                    std::ostream& err) {
  for (const auto& [flag, value] :
       {std::pair<const char*, const std::string&>{"--data", flags.data},
        {"--x", flags.x},
        {"--y", flags.y}}) {
    if (value.empty())
      return FailFlags(absl::StrCat(flag, " is required"), err);
  }
  for (const std::string& column : flags.by) {
    if (column.empty()) {
      return FailFlags("--by expects a column name; got an empty one", err);
    }
  }
  if (absl::Status s = ValidateChangePointFlags(flags.options); !s.ok()) {
    return FailFlags(s.message(), err);
  }

  absl::StatusOr<analysis::RowTable> read = ReadCsvFile(flags.data);
  if (!read.ok()) return Fail(read.status(), err);
  const analysis::RowTable& table = *read;
  absl::StatusOr<int> x = Column(table, flags.x, "--x");
  if (!x.ok()) return Fail(x.status(), err);
  absl::StatusOr<int> y = Column(table, flags.y, "--y");
  if (!y.ok()) return Fail(y.status(), err);
  std::vector<int> by;
  for (const std::string& name : flags.by) {
    absl::StatusOr<int> column = Column(table, name, "--by");
    if (!column.ok()) return Fail(column.status(), err);
    if (std::find(by.begin(), by.end(), *column) != by.end()) {
      return FailFlags(absl::StrCat("--by names '", name, "' twice"), err);
    }
    by.push_back(*column);
  }
  if (table.row_count() == 0) {
    err << kCommand << flags.data << ": no rows\n";
    return kExitBadInput;
  }
  bool numeric_x = true;
  for (size_t row = 0; row < table.row_count(); ++row) {
    numeric_x = numeric_x && table.cell(row, *x).number.has_value();
  }
  absl::StatusOr<std::vector<Group>> groups =
      ReadSeries(table, *x, *y, by, flags.by, numeric_x);
  if (!groups.ok()) return Fail(groups.status(), err);
  for (Group& group : *groups) {
    std::vector<double> series;
    for (const Point& p : group.points) series.push_back(p.y);
    absl::StatusOr<std::vector<analysis::ChangePoint>> points =
        analysis::DetectChangePoints(series, flags.options);
    if (!points.ok()) return Fail(points.status(), err);
    group.change_points = *std::move(points);
  }
  if (flags.output == OutputFormat::kJson) {
    PrintJson(flags, *groups, numeric_x, out);
  } else {
    PrintText(flags, *groups, out);
  }
  return kExitOk;
}

}  // namespace scalebench::cli
