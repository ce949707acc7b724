#include "cli/fit_command.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "analysis/cross_host.h"
#include "analysis/ols.h"
#include "analysis/usl.h"
#include "cli/command.h"
#include "cli/csv.h"
#include "cli/fit_report.h"
#include "cli/fit_request.h"
#include "cli/row_filter.h"

namespace scalebench::cli {
namespace {

// Column indexes of everything the request names.
struct Columns {
  int x = -1;
  int y = -1;
  int by = -1;
  int train = -1;
  int test = -1;
};

absl::StatusOr<Columns> ResolveColumns(const CsvTable& table,
                                       const FitRequest& request) {
  Columns columns;
  absl::StatusOr<int> index = table.ColumnIndex(request.x);
  if (!index.ok()) return index.status();
  columns.x = *index;
  index = table.ColumnIndex(request.y);
  if (!index.ok()) return index.status();
  columns.y = *index;
  if (request.by.has_value()) {
    index = table.ColumnIndex(*request.by);
    if (!index.ok()) return index.status();
    columns.by = *index;
  }
  if (request.train.has_value()) {
    index = table.ColumnIndex(request.train->column());
    if (!index.ok()) return index.status();
    columns.train = *index;
    index = table.ColumnIndex(request.test->column());
    if (!index.ok()) return index.status();
    columns.test = *index;
  }
  return columns;
}

// Rows per group, groups in order of first appearance (one group, named
// "", without --by).
std::vector<std::pair<std::string, std::vector<size_t>>> GroupRows(
    const CsvTable& table, int by_column) {
  std::vector<std::pair<std::string, std::vector<size_t>>> groups;
  for (size_t row = 0; row < table.row_count(); ++row) {
    const std::string key = by_column >= 0 ? table.Cell(row, by_column) : "";
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& g) { return g.first == key; });
    if (it == groups.end()) {
      groups.push_back({key, {}});
      it = groups.end() - 1;
    }
    it->second.push_back(row);
  }
  if (groups.empty()) groups.push_back({"", {}});
  return groups;
}

struct Points {
  std::vector<double> x;
  std::vector<double> y;
};

absl::Status AddPoint(const CsvTable& table, const Columns& columns, size_t row,
                      Points& points) {
  absl::StatusOr<double> x = table.Number(row, columns.x);
  if (!x.ok()) return x.status();
  absl::StatusOr<double> y = table.Number(row, columns.y);
  if (!y.ok()) return y.status();
  points.x.push_back(*x);
  points.y.push_back(*y);
  return absl::OkStatus();
}

// Reads the group's rows and fits the model. Malformed cells are an error
// of the whole command (returned); a model the rows cannot identify is the
// group's error (in the result).
absl::StatusOr<GroupResult> FitGroup(const CsvTable& table,
                                     const FitRequest& request,
                                     const Columns& columns,
                                     const std::string& name,
                                     const std::vector<size_t>& rows) {
  GroupResult result;
  result.group = name;
  if (request.train.has_value()) {
    Points train;
    Points test;
    for (size_t row : rows) {
      const bool in_train =
          request.train->Matches(table.Cell(row, columns.train));
      const bool in_test = request.test->Matches(table.Cell(row, columns.test));
      if (in_train && in_test) {
        return absl::InvalidArgumentError(absl::StrCat(
            table.source(), ":", table.Line(row),
            ": the row matches both --train ", request.train->text(),
            " and --test ", request.test->text()));
      }
      if (in_train || in_test) {
        if (absl::Status s =
                AddPoint(table, columns, row, in_train ? train : test);
            !s.ok()) {
          return s;
        }
      }
    }
    absl::StatusOr<analysis::CrossHostResult> cross = analysis::TestCrossHost(
        train.x, train.y, test.x, test.y, request.model.degree);
    if (cross.ok()) {
      result.cross_host = *std::move(cross);
    } else {
      result.error = std::string(cross.status().message());
    }
    return result;
  }
  Points points;
  for (size_t row : rows) {
    if (absl::Status s = AddPoint(table, columns, row, points); !s.ok())
      return s;
  }
  if (request.model.kind == ModelSpec::Kind::kPolynomial) {
    absl::StatusOr<analysis::PolynomialFit> fit =
        analysis::PolynomialFit::Fit(points.x, points.y, request.model.degree);
    if (fit.ok()) {
      result.polynomial = *std::move(fit);
    } else {
      result.error = std::string(fit.status().message());
    }
    return result;
  }
  absl::StatusOr<analysis::UslFit> fit =
      analysis::UslFit::Fit(points.x, points.y,
                            request.model.kind == ModelSpec::Kind::kUsl
                                ? analysis::ScalabilityModel::kUsl
                                : analysis::ScalabilityModel::kAmdahl);
  if (fit.ok()) {
    result.usl = *std::move(fit);
  } else {
    result.error = std::string(fit.status().message());
  }
  return result;
}

int Fail(const absl::Status& status, std::ostream& err) {
  err << "scalebench fit: " << status.message() << "\n";
  return ExitCodeFor(status);
}

}  // namespace

int RunFit(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err) {
  absl::StatusOr<FitRequest> request = ParseFitRequest(args);
  if (!request.ok()) {
    err << "scalebench fit: " << request.status().message()
        << "\nRun 'scalebench fit --help' for the flags.\n";
    return kExitBadInput;
  }
  if (request->help) {
    out << kFitHelp;
    return kExitOk;
  }
  absl::StatusOr<CsvTable> table = CsvTable::Read(request->data);
  if (!table.ok()) return Fail(table.status(), err);
  absl::StatusOr<Columns> columns = ResolveColumns(*table, *request);
  if (!columns.ok()) return Fail(columns.status(), err);

  std::vector<GroupResult> results;
  bool any_error = false;
  for (const auto& [name, rows] : GroupRows(*table, columns->by)) {
    absl::StatusOr<GroupResult> result =
        FitGroup(*table, *request, *columns, name, rows);
    if (!result.ok()) return Fail(result.status(), err);
    if (!result->error.empty()) {
      any_error = true;
      err << "scalebench fit: " << request->data;
      if (request->by.has_value()) {
        err << ", " << *request->by << " = " << name;
      }
      err << ": " << result->error << "\n";
    }
    results.push_back(*std::move(result));
  }
  // Without --by, a model that cannot be fitted leaves nothing to print.
  if (!request->by.has_value() && any_error) return kExitBadInput;
  if (request->json) {
    out << ToJson(*request, results);
  } else {
    PrintText(*request, results, out);
  }
  return any_error ? kExitBadInput : kExitOk;
}

}  // namespace scalebench::cli
