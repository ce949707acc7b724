#include "coordinator/store/experiment_store.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "api/resource_names.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/store/store_rows.h"
#include "spec/validate.h"

namespace scalebench::coordinator {

using internal::ExperimentEnded;
using internal::Parse;

namespace {

constexpr char kPageTokenPrefix[] = "p";

absl::StatusOr<std::string> ParsePageToken(absl::string_view token) {
  int64_t seq = 0;
  if (!absl::ConsumePrefix(&token, kPageTokenPrefix) ||
      !absl::SimpleAtoi(token, &seq) || seq <= 0) {
    return absl::InvalidArgumentError("page_token: not issued by this store");
  }
  return std::string(token);
}

}  // namespace

absl::StatusOr<v1::Experiment> ExperimentStore::CreateExperiment(
    const v1::ExperimentSpec& spec, absl::string_view spec_source,
    absl::string_view request_id, uint64_t seed) {
  RETURN_IF_ERROR(spec::ValidateSpec(spec));
  StoreDatabase::Lock lock(db_);
  std::string id;
  RETURN_IF_ERROR(db_->InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        id, rows_.CreateExperimentLocked(spec, spec_source, request_id, seed,
                                         /*schedule_id=*/"",
                                         /*night=*/std::nullopt));
    return absl::OkStatus();
  }));
  return rows_.ReadExperiment(id, v1::EXPERIMENT_VIEW_FULL);
}

absl::StatusOr<v1::Experiment> ExperimentStore::GetExperiment(
    absl::string_view experiment_id, v1::ExperimentView view) {
  StoreDatabase::Lock lock(db_);
  v1::Experiment experiment;
  RETURN_IF_ERROR(db_->InReadTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(experiment, rows_.ReadExperiment(experiment_id, view));
    return absl::OkStatus();
  }));
  return experiment;
}

absl::StatusOr<ExperimentPage> ExperimentStore::ListExperiments(
    uint32_t page_size, absl::string_view page_token, v1::ExperimentView view,
    absl::string_view schedule_id) {
  if (page_size == 0) page_size = kDefaultPageSize;
  if (page_size > kMaxPageSize) page_size = kMaxPageSize;
  int64_t before = std::numeric_limits<int64_t>::max();
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(std::string seq, ParsePageToken(page_token));
    if (!absl::SimpleAtoi(seq, &before)) {
      return absl::InvalidArgumentError("page_token: not issued by this store");
    }
  }
  StoreDatabase::Lock lock(db_);
  ExperimentPage page;
  RETURN_IF_ERROR(db_->InReadTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Statement stmt,
                     db_->Prepare("SELECT seq, id FROM experiments WHERE seq < "
                                  "? AND (? = '' OR schedule = ?) ORDER BY "
                                  "seq DESC LIMIT ?"));
    // One more than asked, to know whether another page follows.
    stmt.Bind(1, before)
        .Bind(2, schedule_id)
        .Bind(3, schedule_id)
        .Bind(4, static_cast<int64_t>(page_size) + 1);
    std::vector<std::pair<int64_t, std::string>> rows;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      rows.emplace_back(stmt.ColumnInt(0), stmt.ColumnText(1));
    }
    if (rows.size() > page_size) {
      rows.pop_back();
      page.next_page_token = absl::StrCat(kPageTokenPrefix, rows.back().first);
    }
    size_t bytes = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      ASSIGN_OR_RETURN(v1::Experiment experiment,
                       rows_.ReadExperiment(rows[i].second, view));
      bytes += experiment.ByteSizeLong();
      if (i > 0 && bytes > kMaxPageBytes) {
        // The next page starts with this one.
        page.next_page_token =
            absl::StrCat(kPageTokenPrefix, rows[i - 1].first);
        break;
      }
      page.experiments.push_back(std::move(experiment));
    }
    return absl::OkStatus();
  }));
  return page;
}

absl::Status ExperimentStore::SetExperimentState(
    absl::string_view experiment_id, v1::ExperimentState state,
    absl::string_view status_message) {
  if (state == v1::EXPERIMENT_STATE_UNSPECIFIED) {
    return absl::InvalidArgumentError("experiment state: unspecified");
  }
  StoreDatabase::Lock lock(db_);
  return db_->InTransaction([&]() -> absl::Status {
    return rows_.SetExperimentStateLocked(experiment_id, state, status_message);
  });
}

absl::StatusOr<std::vector<v1::ExperimentEvent>> ExperimentStore::Events(
    absl::string_view experiment_id, uint64_t after_sequence) {
  StoreDatabase::Lock lock(db_);
  std::vector<v1::ExperimentEvent> events;
  RETURN_IF_ERROR(db_->InReadTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(
        rows_.ReadExperiment(experiment_id, v1::EXPERIMENT_VIEW_BASIC)
            .status());
    ASSIGN_OR_RETURN(Statement stmt,
                     db_->Prepare("SELECT event FROM events WHERE experiment "
                                  "= ? AND sequence > ? ORDER BY sequence"));
    stmt.Bind(1, experiment_id)
        .Bind(2, static_cast<int64_t>(
                     std::min<uint64_t>(after_sequence, INT64_MAX)));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) return absl::OkStatus();
      ASSIGN_OR_RETURN(v1::ExperimentEvent event,
                       Parse<v1::ExperimentEvent>(stmt.ColumnBlob(0), "event"));
      events.push_back(std::move(event));
    }
  }));
  return events;
}

absl::StatusOr<std::vector<std::string>>
ExperimentStore::ListActiveExperimentIds() {
  StoreDatabase::Lock lock(db_);
  std::vector<std::string> ids;
  RETURN_IF_ERROR(db_->InReadTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Statement stmt,
                     db_->Prepare("SELECT id FROM experiments WHERE state IN "
                                  "(?, ?, ?) ORDER BY seq"));
    stmt.Bind(1, static_cast<int64_t>(v1::EXPERIMENT_STATE_PENDING))
        .Bind(2, static_cast<int64_t>(v1::EXPERIMENT_STATE_RUNNING))
        .Bind(3, static_cast<int64_t>(v1::EXPERIMENT_STATE_CANCELLING));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) return absl::OkStatus();
      ids.push_back(stmt.ColumnText(0));
    }
  }));
  return ids;
}

absl::Status ExperimentStore::SetExperimentWaiting(
    absl::string_view experiment_id, absl::string_view reason) {
  StoreDatabase::Lock lock(db_);
  return db_->InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        v1::Experiment experiment,
        rows_.ReadExperiment(experiment_id, v1::EXPERIMENT_VIEW_BASIC));
    if (ExperimentEnded(experiment.state()) ||
        experiment.waiting_for() == reason) {
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(Statement update,
                     db_->Prepare("UPDATE experiments SET waiting_for = ? "
                                  "WHERE id = ?"));
    update.Bind(1, reason).Bind(2, experiment_id);
    RETURN_IF_ERROR(update.Run());
    if (reason.empty()) return absl::OkStatus();
    return rows_.AppendEvent(experiment_id, nullptr, nullptr,
                             absl::StrCat("waiting: ", reason));
  });
}

}  // namespace scalebench::coordinator
