#include "api/resource_names.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace scalebench::api {
namespace {

constexpr size_t kMaxIdLength = 64;
constexpr absl::string_view kExperiments = "experiments";
constexpr absl::string_view kTrials = "trials";
constexpr absl::string_view kWorkers = "workers";
constexpr absl::string_view kSchedules = "schedules";

bool IsIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
         c == '_' || c == '-';
}

absl::Status Malformed(absl::string_view name, absl::string_view form,
                       absl::string_view detail) {
  return absl::InvalidArgumentError(absl::StrCat(
      "'", name, "' is not a resource name of the form ", form, ": ", detail));
}

// The id in "COLLECTION/{id}".
absl::StatusOr<std::string> ParseTopLevelName(absl::string_view name,
                                              absl::string_view collection,
                                              absl::string_view form,
                                              absl::string_view what) {
  const std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 2 || parts[0] != collection) {
    return Malformed(name, form, "wrong segments");
  }
  if (absl::Status s = ValidateId(parts[1], what); !s.ok()) {
    return Malformed(name, form, s.message());
  }
  return std::string(parts[1]);
}

}  // namespace

absl::Status ValidateId(absl::string_view id, absl::string_view what) {
  if (id.empty())
    return absl::InvalidArgumentError(absl::StrCat(what, " is empty"));
  if (id.size() > kMaxIdLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " '", id, "' is longer than ", kMaxIdLength, " characters"));
  }
  if (id == "." || id == "..") {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " may not be '", id, "'"));
  }
  for (char c : id) {
    if (!IsIdChar(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " '", id,
                       "' may contain only letters, digits, '.', '_' and '-'"));
    }
  }
  return absl::OkStatus();
}

std::string ExperimentName(absl::string_view experiment_id) {
  return absl::StrCat(kExperiments, "/", experiment_id);
}

std::string TrialName(absl::string_view experiment_id, uint32_t trial) {
  return absl::StrCat(kExperiments, "/", experiment_id, "/", kTrials, "/",
                      trial);
}

std::string TrialShortName(absl::string_view experiment_id, uint32_t trial) {
  return absl::StrCat(experiment_id, "/", trial);
}

std::string WorkerName(absl::string_view worker_id) {
  return absl::StrCat(kWorkers, "/", worker_id);
}

std::string ScheduleName(absl::string_view schedule_id) {
  return absl::StrCat(kSchedules, "/", schedule_id);
}

absl::StatusOr<std::string> ParseExperimentName(absl::string_view name) {
  return ParseTopLevelName(name, kExperiments, "experiments/{experiment}",
                           "the experiment id");
}

absl::StatusOr<TrialRef> ParseTrialName(absl::string_view name) {
  constexpr absl::string_view kForm = "experiments/{experiment}/trials/{n}";
  const std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != kExperiments || parts[2] != kTrials) {
    return Malformed(name, kForm, "wrong segments");
  }
  if (absl::Status s = ValidateId(parts[1], "the experiment id"); !s.ok()) {
    return Malformed(name, kForm, s.message());
  }
  TrialRef ref;
  ref.experiment_id = std::string(parts[1]);
  const absl::string_view number = parts[3];
  const bool digits_only =
      !number.empty() && std::all_of(number.begin(), number.end(), [](char c) {
        return absl::ascii_isdigit(static_cast<unsigned char>(c));
      });
  if (!digits_only || (number.size() > 1 && number[0] == '0') ||
      !absl::SimpleAtoi(number, &ref.trial)) {
    return Malformed(name, kForm,
                     "the trial is not a number from 0 to 4294967295 without "
                     "leading zeros");
  }
  return ref;
}

absl::StatusOr<std::string> ParseWorkerName(absl::string_view name) {
  return ParseTopLevelName(name, kWorkers, "workers/{worker}", "the worker id");
}

absl::StatusOr<std::string> ParseScheduleName(absl::string_view name) {
  return ParseTopLevelName(name, kSchedules, "schedules/{schedule}",
                           "the schedule id");
}

}  // namespace scalebench::api
