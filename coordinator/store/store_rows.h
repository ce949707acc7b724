// Helpers the Store's implementation files share; not part of its API.
// Thread-safe.
#ifndef SCALEBENCH_COORDINATOR_STORE_STORE_ROWS_H_
#define SCALEBENCH_COORDINATOR_STORE_STORE_ROWS_H_

#include <google/protobuf/message_lite.h>
#include <google/protobuf/timestamp.pb.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "scalebench/v1/coordinator.pb.h"

namespace scalebench::coordinator::internal {

// Deterministic bytes, so equal messages serialize equally (maps sorted).
std::string Serialize(const google::protobuf::MessageLite& message);

template <typename T>
absl::StatusOr<T> Parse(const std::string& blob, absl::string_view what) {
  T message;
  if (!message.ParseFromString(blob)) {
    return absl::DataLossError(absl::StrCat("store: unreadable ", what));
  }
  return message;
}

// Times are stored as microseconds since the Unix epoch.
google::protobuf::Timestamp MicrosToProto(int64_t micros);

inline bool TrialEnded(v1::TrialState state) {
  return state == v1::TRIAL_STATE_SUCCEEDED ||
         state == v1::TRIAL_STATE_FAILED || state == v1::TRIAL_STATE_CANCELLED;
}

inline bool ExperimentEnded(v1::ExperimentState state) {
  return state == v1::EXPERIMENT_STATE_SUCCEEDED ||
         state == v1::EXPERIMENT_STATE_FAILED ||
         state == v1::EXPERIMENT_STATE_CANCELLED;
}

}  // namespace scalebench::coordinator::internal

#endif  // SCALEBENCH_COORDINATOR_STORE_STORE_ROWS_H_
