#include "results/trial_rows.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "api/resource_names.h"
#include "api/result_columns.h"
#include "common/proto_time.h"
#include "results/histogram.h"

namespace scalebench::results {
namespace {

constexpr double kNsPerUs = 1000;

std::string Number(double value) {
  return analysis::Cell::FromNumber(value).text;
}

uint64_t ErrorSum(const v1::ErrorCounts& e) {
  return e.connect() + e.read() + e.write() + e.timeout() + e.parse() +
         e.status();
}

}  // namespace

std::vector<std::string> TrialRowColumns() {
  std::vector<std::string> columns = {"trial_id"};
  for (const char* c : api::FactorColumns()) columns.push_back(c);
  columns.push_back("repetition");
  for (const char* c : api::MetricColumns()) columns.push_back(c);
  columns.push_back(api::kNestedColumn);
  return columns;
}

absl::StatusOr<std::vector<std::string>> TrialRowCells(
    const v1::TrialResult& trial) {
  absl::StatusOr<api::TrialRef> ref = api::ParseTrialName(trial.key().trial());
  if (!ref.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("key.trial: ", ref.status().message()));
  }
  const v1::LoadgenResult& merged = trial.merged();
  absl::StatusOr<Histogram> latency = Histogram::FromProto(merged.latency());
  if (!latency.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("merged.latency: ", latency.status().message()));
  }
  std::vector<std::string> cells = {
      api::TrialShortName(ref->experiment_id, ref->trial)};
  for (std::string& cell : api::FactorCells(trial.configuration())) {
    cells.push_back(std::move(cell));
  }
  cells.push_back(absl::StrCat(trial.repetition()));
  const auto us = [](uint64_t ns) {
    return Number(static_cast<double>(ns) / kNsPerUs);
  };
  cells.push_back(Number(trial.requests_per_s()));
  cells.push_back(Number(trial.transfer_kb_per_s()));
  cells.push_back(Number(latency->MeanNs() / kNsPerUs));
  cells.push_back(us(latency->ValueAtQuantile(0.50)));
  cells.push_back(us(latency->ValueAtQuantile(0.90)));
  cells.push_back(us(latency->ValueAtQuantile(0.99)));
  cells.push_back(us(latency->max_ns()));
  cells.push_back(absl::StrCat(ErrorSum(merged.errors())));
  cells.push_back(Number(trial.error_rate()));
  const auto duration_us = [](const google::protobuf::Duration& d) {
    return Number(absl::ToDoubleMicroseconds(DurationFromProto(d)));
  };
  cells.push_back(duration_us(merged.start_skew()));
  cells.push_back(duration_us(merged.start_skew_uncertainty()));
  cells.push_back(duration_us(trial.estimated_start_spread()));
  cells.push_back(trial.has_observed_start_spread()
                      ? duration_us(trial.observed_start_spread())
                      : "");
  cells.push_back(trial.nested() ? "true" : "false");
  return cells;
}

absl::StatusOr<analysis::RowTable> TrialRowTable(
    const std::vector<v1::TrialResult>& trials) {
  absl::StatusOr<analysis::RowTable> table =
      analysis::RowTable::Create("trial results", TrialRowColumns());
  if (!table.ok()) return table.status();
  for (size_t i = 0; i < trials.size(); ++i) {
    absl::StatusOr<std::vector<std::string>> cells = TrialRowCells(trials[i]);
    if (!cells.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("trials[", i, "]: ", cells.status().message()));
    }
    std::string origin = (*cells)[0];
    std::vector<analysis::Cell> row;
    row.reserve(cells->size());
    for (std::string& text : *cells) {
      row.push_back(analysis::Cell::FromText(std::move(text)));
    }
    if (absl::Status s = table->AddRow(std::move(row), std::move(origin));
        !s.ok()) {
      return s;
    }
  }
  return table;
}

}  // namespace scalebench::results
